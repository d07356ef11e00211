"""``secondlock``: serve the API, migrate, mint keys, generate and load markets.

secondlock db upgrade
secondlock keys create --org 2 --role underwriter
secondlock keys revoke --id 7
secondlock fixtures generate --firms 200 --enterprises 5000 --years 10 --seed 2026 --out DIR
secondlock fixtures load DIR
secondlock demo            # migrate, load fixtures/demo if empty, mint one key per role
secondlock serve --port 8000
secondlock develop TRIANGLE.csv      # chain ladder and Mack s.e. of a long-form triangle, as JSON
secondlock reserve-backtest [--line LINE] [--out FILE]   # chain ladder vs the CAS squares
secondlock calibrate --as-of 2023-12-31 [--market DIR] [--version V] [--out FILE | --store]
secondlock backtest [--from 2019] [--to 2025] [--candidate VERSION|FILE] [--market DIR] --out DIR
"""

import argparse
import gzip
import json
import math
import os
import sys
import time
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

from pricing import ChainLadder, PricingError
from pricing.development import read_long_triangle
from pricing.reserve_backtest import (
    INTERVAL_Z,
    backtest_reserves,
    read_schedule_p,
    summary_table,
)
from underwriting import (
    backtest_pages,
    backtests,
    calibrations,
    keys,
    market,
    parties,
    rating_models,
)
from underwriting.db import migrations
from underwriting.db.engine import build_engine, session_factory
from underwriting.db.uow import UnitOfWork, UnitOfWorkFactory
from underwriting.demo_market import generate_market, read_market, write_market
from underwriting.errors import UnderwritingError
from underwriting.settings import Settings
from underwriting.vocabulary import Role

ROOT = Path(__file__).resolve().parents[1]
DEMO_MARKET = ROOT / "fixtures" / "demo"
DEMO_KEYS = ROOT / "var" / "demo-keys.env"
CAS_SCHEDULE_P = ROOT / "fixtures" / "cas" / "cas_schedule_p_liability.csv.gz"
#: The demo senior underwriter may accept referrals up to this aggregate limit, CNY.
SENIOR_AUTHORITY = Decimal("100000000.00")


def _uows(settings: Settings) -> UnitOfWorkFactory:
    return partial(UnitOfWork, session_factory(build_engine(settings.database_url)))


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    migrations.upgrade(settings.database_url, args.revision)
    print(f"database at revision {args.revision}")


def _db_downgrade(args: argparse.Namespace, settings: Settings) -> None:
    migrations.downgrade(settings.database_url, args.revision)
    print(f"database at revision {args.revision}")


def _platform_create(args: argparse.Namespace, settings: Settings) -> None:
    org = parties.register_platform(_uows(settings), name=args.name, credit_code=args.credit_code)
    print(f"platform organisation {org}; mint its admin key with:")
    print(f"  secondlock keys create --org {org} --role admin")


def _keys_create(args: argparse.Namespace, settings: Settings) -> None:
    minted = keys.create_key(
        _uows(settings),
        organisation_id=args.org,
        role=Role(args.role),
        label=args.label,
        authority_limit=args.authority,
    )
    print(f"key id {minted.id} ({minted.role.value} at organisation {minted.organisation_id}):")
    print(minted.plaintext)
    print("It is shown only now; SecondLock keeps only its hash.", file=sys.stderr)


def _keys_revoke(args: argparse.Namespace, settings: Settings) -> None:
    keys.revoke_key(_uows(settings), args.id)
    print(f"key {args.id} revoked")


def _fixtures_generate(args: argparse.Namespace, _: Settings) -> None:
    started = time.perf_counter()
    generated = generate_market(
        firms=args.firms, enterprises=args.enterprises, years=args.years, seed=args.seed
    )
    write_market(generated, Path(args.out))
    counts = ", ".join(f"{name} {len(rows)}" for name, rows in generated.tables.items())
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s: {counts}")


def _fixtures_load(args: argparse.Namespace, settings: Settings) -> None:
    started = time.perf_counter()
    counts = market.load_market(_uows(settings), read_market(Path(args.path)))
    summary = ", ".join(f"{name} {count}" for name, count in counts.items())
    print(f"loaded {args.path} in {time.perf_counter() - started:.1f} s: {summary}")


def _demo(args: argparse.Namespace, settings: Settings) -> None:
    migrations.upgrade(settings.database_url)
    uows = _uows(settings)
    if market.book_is_empty(uows):
        counts = market.load_market(uows, read_market(DEMO_MARKET))
        print(f"loaded the demo market: {sum(counts.values())} rows")
    if rating_models.ensure_default_model(uows):
        print("activated the default rating model pl-2026.1")
    lines = []
    for role, org in market.demo_organisations(uows).items():
        minted = keys.create_key(uows, organisation_id=org, role=role, label="demo")
        lines.append((role, org, minted.plaintext))
    insurer = market.demo_organisations(uows)[Role.UNDERWRITER]
    senior = keys.create_key(
        uows,
        organisation_id=insurer,
        role=Role.UNDERWRITER,
        label="demo senior underwriter",
        authority_limit=SENIOR_AUTHORITY,
    )
    DEMO_KEYS.parent.mkdir(exist_ok=True)
    DEMO_KEYS.write_text(
        "".join(f"{r.value.upper()}_KEY={k}\n" for r, _, k in lines)
        + f"SENIOR_UNDERWRITER_KEY={senior.plaintext}\n"
    )
    base = f"http://{args.host}:{args.port}"
    print(f"\nSecondLock demo — API docs at {base}/docs\nDemo keys (also in {DEMO_KEYS}):")
    for role, org, key in lines:
        print(f"  {role.value:<12} organisation {org:<5} {key}")
    print(f"  {'senior uw':<12} organisation {insurer:<5} {senior.plaintext}  (authority 100m)")
    firm_key = next(key for role, _, key in lines if role is Role.FIRM)
    print(
        f"\nTry:\n  curl -s -H 'Authorization: Bearer {firm_key}' {base}/v1/engagements?limit=2\n"
    )


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    from api.serving import serve

    serve(host=args.host, port=args.port, workers=args.workers, log_level=args.log_level)


def _text_lines(path: str) -> list[str]:
    """The lines of a text file, gzipped or not; a file that cannot be read is a PricingError."""
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as file:
            return file.readlines()
    except (OSError, UnicodeDecodeError) as error:
        raise PricingError(f"cannot read {path}: {error}") from None


def _plain(value):
    """``value`` for JSON: NaN and infinities become null, numpy numbers Python ones."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _develop(args: argparse.Namespace, _: Settings) -> None:
    origins, triangle = read_long_triangle(_text_lines(args.triangle))
    fit = ChainLadder(average=args.average, tail=args.tail).fit(triangle)
    labels, ages = [str(o) for o in origins], range(1, triangle.shape[1] + 1)
    document = {
        "average": fit.average,
        "tail": fit.tail,
        "ldf": {f"{age}-{age + 1}": f for age, f in zip(ages[:-1], fit.ldf_, strict=True)},
        "cdf": dict(zip(map(str, ages), fit.cdf_, strict=True)),
        **{
            name: dict(zip(labels, getattr(fit, f"{name}_"), strict=True))
            for name in ("latest", "ultimate", "ibnr")
        },
        "total_ibnr": fit.total_ibnr_,
        "mack_se": dict(zip(labels, fit.mack_se_, strict=True)),
        "total_mack_se": fit.total_mack_se_,
        "warnings": [
            w.describe(None if w.row is None else int(origins[w.row])) for w in fit.warnings_
        ],
    }
    print(json.dumps(_plain(document), indent=2))


def _reserve_backtest(args: argparse.Namespace, _: Settings) -> None:
    backtest = backtest_reserves(read_schedule_p(_text_lines(args.data)), lines=args.line)
    if args.out:
        document = {
            "interval_z": INTERVAL_Z,
            "summaries": [asdict(s) for s in backtest.summaries],
            "outcomes": [
                {**asdict(o), "relative_error": o.relative_error, "inside": o.inside}
                for o in backtest.outcomes
            ],
            "skipped": [asdict(s) for s in backtest.skipped],
        }
        temporary = Path(f"{args.out}.partial")
        try:
            temporary.write_text(json.dumps(_plain(document), indent=1))
            os.replace(temporary, args.out)
        except OSError as error:
            raise PricingError(f"cannot write {args.out}: {error}") from None
    print(summary_table(backtest))


def _calibrate(args: argparse.Namespace, settings: Settings) -> None:
    source = calibrations.HistorySource(Path(args.market))
    as_of = _iso_date("as-of", args.as_of)
    if args.store:
        uows = _uows(settings)
        stored = calibrations.calibrate_and_store(
            uows, keys.operator(uows), as_of=as_of, version=args.version, source=source
        )
        calibration_id = stored.calibration.id
        print(f"stored draft {stored.model.version} with its diagnostics ({calibration_id})")
        return
    calibration = calibrations.calibrate_history(
        source.history(), as_of=as_of, version=args.version
    )
    if args.out:
        calibrations.write_calibration(calibration, Path(args.out))
    print(calibrations.summary(calibration))


def _backtest(args: argparse.Namespace, _: Settings) -> None:
    candidate = backtests.candidate_model(args.candidate) if args.candidate else None
    history = calibrations.HistorySource(Path(args.market)).history()
    first, last = backtests.default_range(history)
    result = backtests.run_backtest(
        history,
        first_year=first if args.from_year is None else args.from_year,
        last_year=last if args.to_year is None else args.to_year,
        candidate=candidate,
    )
    backtest_pages.write_backtest(result.metrics, result.html, Path(args.out))
    print(backtest_pages.summary(result.metrics))
    print(f"wrote {Path(args.out) / 'metrics.json'} and {Path(args.out) / 'report.html'}")


def _iso_date(flag: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UnderwritingError(f"--{flag} must be a date like 2023-12-31; got ({text})") from None


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="secondlock", description=__doc__.split("\n")[0])
    groups = root.add_subparsers(required=True, metavar="COMMAND")

    db = groups.add_parser("db", help="migrate the database").add_subparsers(required=True)
    up = db.add_parser("upgrade", help="migrate up (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(run=_db_upgrade)
    down = db.add_parser("downgrade", help="migrate down (default: to base)")
    down.add_argument("revision", nargs="?", default="base")
    down.set_defaults(run=_db_downgrade)

    platform = groups.add_parser("platform", help="bootstrap a new book")
    platform_create = platform.add_subparsers(required=True).add_parser(
        "create", help="register the platform organisation that holds admin keys"
    )
    platform_create.add_argument("--name", required=True)
    platform_create.add_argument("--credit-code", required=True, help="GB 32100 code")
    platform_create.set_defaults(run=_platform_create)

    key = groups.add_parser("keys", help="API keys").add_subparsers(required=True)
    create = key.add_parser("create", help="mint a key and print it once")
    create.add_argument("--org", type=int, required=True, help="organisation id")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--label", default="")
    create.add_argument(
        "--authority",
        type=Decimal,
        default=None,
        help="an underwriter's authority, the largest aggregate limit (default 5000000), or an "
        "adjuster's, the largest payment (default 500000); CNY",
    )
    create.set_defaults(run=_keys_create)
    revoke = key.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("--id", type=int, required=True, help="key id")
    revoke.set_defaults(run=_keys_revoke)

    fixtures = groups.add_parser("fixtures", help="demo markets").add_subparsers(required=True)
    generate = fixtures.add_parser("generate", help="generate a market from ground truth")
    generate.add_argument("--firms", type=int, default=200)
    generate.add_argument("--enterprises", type=int, default=5000)
    generate.add_argument("--years", type=int, default=10)
    generate.add_argument("--seed", type=int, default=2026)
    generate.add_argument("--out", required=True, help="directory to write")
    generate.set_defaults(run=_fixtures_generate)
    load = fixtures.add_parser("load", help="load a generated market into an empty book")
    load.add_argument("path", help="directory written by 'fixtures generate'")
    load.set_defaults(run=_fixtures_load)

    develop = groups.add_parser(
        "develop", help="chain ladder and Mack s.e. of a triangle CSV (origin,development,value)"
    )
    develop.add_argument("triangle", help="CSV of cumulative cells, one known cell a row")
    develop.add_argument("--average", choices=["volume", "simple"], default="volume")
    develop.add_argument("--tail", type=float, default=1.0, help="factor from the last age")
    develop.set_defaults(run=_develop)
    backtest = groups.add_parser(
        "reserve-backtest", help="chain-ladder reserves against the CAS Schedule P squares"
    )
    backtest.add_argument("--line", action="append", help="line of business (repeatable)")
    backtest.add_argument("--data", default=str(CAS_SCHEDULE_P), help="CSV, gzipped or not")
    backtest.add_argument("--out", help="write every outcome and skip as JSON to this file")
    backtest.set_defaults(run=_reserve_backtest)

    calibrate = groups.add_parser(
        "calibrate", help="calibrate a draft model on the demo insured history as of a date"
    )
    calibrate.add_argument("--as-of", required=True, help="the evaluation date, YYYY-MM-DD")
    calibrate.add_argument("--market", default=str(calibrations.DEMO_MARKET))
    calibrate.add_argument("--version", help="the draft's version (default cal-<as-of>)")
    calibrate.add_argument("--out", help="write the draft document and diagnostics as JSON")
    calibrate.add_argument(
        "--store",
        action="store_true",
        help="store the draft version and its diagnostics in the database instead",
    )
    calibrate.set_defaults(run=_calibrate)

    rolling = groups.add_parser(
        "backtest", help="rolling-origin backtest of the rating model on the demo insured history"
    )
    rolling.add_argument("--from", dest="from_year", type=int, help="first test year")
    rolling.add_argument("--to", dest="to_year", type=int, help="last test year")
    rolling.add_argument(
        "--candidate", help="a shipped model version, or a model JSON file (calibrate --out)"
    )
    rolling.add_argument("--market", default=str(calibrations.DEMO_MARKET))
    rolling.add_argument("--out", required=True, help="directory for metrics.json, report.html")
    rolling.set_defaults(run=_backtest)

    for name, run, help_ in (
        ("demo", _demo, "prepare the demo book and print keys"),
        ("serve", _serve, "serve the API"),
    ):
        command = groups.add_parser(name, help=help_)
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", type=int, default=8000)
        command.add_argument("--workers", type=int, default=1)
        command.add_argument(
            "--log-level", default="info", choices=["critical", "error", "warning", "info"]
        )
        command.set_defaults(run=run)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args, Settings())
    except (UnderwritingError, PricingError) as error:
        print(f"secondlock: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
