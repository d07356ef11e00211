"""Rows of the parties and contracts: ``organisation``, ``firm``, ``enterprise`` and
``engagement``, with the exact column names of ``underwriting/db/tables/book.py`` (without
``created_at``, which the database sets)."""

from __future__ import annotations

import numpy as np

from underwriting.demo_market.encoding import iso_dates, money_from_fen
from underwriting.demo_market.engagements import CATEGORIES, SERVICE_KINDS, EngagementBook
from underwriting.demo_market.enterprises import GRADES, EnterprisePanel
from underwriting.demo_market.firms import COLOURS, QUALIFICATIONS, FirmPanel
from underwriting.demo_market.naming import (
    INSURERS,
    PLATFORM_CITY,
    PLATFORM_NAME,
    credit_codes,
    enterprise_names,
    firm_names,
)
from underwriting.demo_market.regions import CITY_CODES, CITY_NAMES
from underwriting.demo_market.truth import HAZARD_CLASSES
from underwriting.vocabulary import OrgKind

PLATFORM_ID = 1
INSURER_IDS = tuple(range(2, 2 + len(INSURERS)))
FIRST_FIRM_ID = 2 + len(INSURERS)


def organisation_rows(
    firms: FirmPanel, enterprises: EnterprisePanel, rng: np.random.Generator
) -> list[dict]:
    """The platform (id 1), the insurers, the firms and the enterprises, in id order."""
    kinds = [OrgKind.PLATFORM] + [OrgKind.INSURER] * len(INSURERS)
    kinds += [OrgKind.FIRM] * len(firms) + [OrgKind.ENTERPRISE] * len(enterprises)
    firm_cities = [CITY_NAMES[c] for c in firms.city.tolist()]
    enterprise_cities = [CITY_NAMES[c] for c in enterprises.city.tolist()]
    qualifications = [QUALIFICATIONS[q] for q in firms.qualification.tolist()]
    names = [PLATFORM_NAME] + [name for name, _ in INSURERS]
    names += firm_names(qualifications, firm_cities, rng)
    names += enterprise_names(enterprises.hazard_class, enterprise_cities, rng)
    cities = [PLATFORM_CITY] + [city for _, city in INSURERS]
    cities += [CITY_CODES[c] for c in np.concatenate([firms.city, enterprises.city]).tolist()]
    codes = credit_codes(cities, rng)
    return [
        {"id": i, "kind": kind.value, "name": name, "credit_code": code}
        for i, (kind, name, code) in enumerate(zip(kinds, names, codes, strict=True), start=1)
    ]


def firm_rows(firms: FirmPanel, engineers: np.ndarray) -> list[dict]:
    """One row per firm; ``engineers`` is its number of registered safety engineers."""
    columns = zip(
        firms.ids.tolist(),
        firms.qualification.tolist(),
        iso_dates(firms.expiry_day),
        firms.colour.tolist(),
        engineers.tolist(),
        firms.founded_year.tolist(),
        strict=True,
    )
    return [
        {
            "id": firm_id,
            "qualification_kind": QUALIFICATIONS[q].value,
            "qualification_expiry_date": expiry,
            "credit_colour": COLOURS[colour].value,
            "safety_engineers": staff,
            "founded_year": founded,
        }
        for firm_id, q, expiry, colour, staff, founded in columns
    ]


def enterprise_rows(enterprises: EnterprisePanel) -> list[dict]:
    columns = zip(
        enterprises.ids.tolist(),
        enterprises.hazard_class.tolist(),
        enterprises.city.tolist(),
        enterprises.employees.tolist(),
        enterprises.grade.tolist(),
        enterprises.major_hazard_sources.tolist(),
        strict=True,
    )
    return [
        {
            "id": enterprise_id,
            "hazard_class": HAZARD_CLASSES[c].value,
            "region_code": CITY_CODES[city],
            "employees": employees,
            "standardisation_grade": GRADES[grade].value,
            "major_hazard_sources": sources,
            "established_date": None,  # the demo draws no business licences
        }
        for enterprise_id, c, city, employees, grade, sources in columns
    ]


def engagement_rows(
    book: EngagementBook, firms: FirmPanel, enterprises: EnterprisePanel
) -> list[dict]:
    kinds = column_labels(book.kinds, [k.value for k in SERVICE_KINDS])
    scopes = column_labels(book.scope, [c.value for c in CATEGORIES])
    columns = zip(
        firms.ids[book.firm].tolist(),
        enterprises.ids[book.enterprise].tolist(),
        kinds,
        scopes,
        iso_dates(book.start_day),
        iso_dates(book.end_day),
        money_from_fen(book.fee_fen),
        book.interval_days.tolist(),
        strict=True,
    )
    return [
        {
            "id": i,
            "firm_id": firm_id,
            "enterprise_id": enterprise_id,
            "service_kinds": kind_list,
            "hazard_categories": scope,
            "start_date": start,
            "end_date": end,
            "annual_fee": fee,
            "inspection_interval_days": interval,
        }
        for i, (firm_id, enterprise_id, kind_list, scope, start, end, fee, interval) in enumerate(
            columns, start=1
        )
    ]


def column_labels(matrix: np.ndarray, names: list[str]) -> list[list[str]]:
    """For each row of a boolean matrix, the names of its true columns, in column order."""
    bits = matrix.astype(np.int64) @ (1 << np.arange(matrix.shape[1]))
    cache: dict[int, tuple[str, ...]] = {}
    for code in np.unique(bits).tolist():
        cache[code] = tuple(name for k, name in enumerate(names) if code >> k & 1)
    return [list(cache[code]) for code in bits.tolist()]
