"""The architecture as a test: imports point api → underwriting → {pricing, claims}.

DESIGN.md section 5: ``pricing`` and ``claims`` are pure (standard library, numpy, scipy);
only ``underwriting/db/`` imports SQLAlchemy; only ``api/`` imports FastAPI.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "underwriting", "pricing", "claims")
WEB = {"fastapi", "starlette", "uvicorn"}
DATABASE = {"sqlalchemy", "alembic", "psycopg"}
VALIDATION = {"pydantic", "pydantic_settings", "pydantic_core"}


def imported_roots(path: Path) -> set[str]:
    """The top-level names a module imports (absolute imports only; we use no others)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def forbidden_for(path: Path) -> set[str]:
    relative = path.relative_to(ROOT).parts
    package = relative[0]
    if package in ("pricing", "claims"):
        other = {"pricing", "claims"} - {package}
        return WEB | DATABASE | VALIDATION | {"api", "underwriting"} | other
    if package == "underwriting":
        in_db = relative[1] == "db"
        return WEB | {"api"} | (set() if in_db else DATABASE)
    return DATABASE  # api/: through underwriting, never to the database directly


ALL_MODULES = [path for package in PACKAGES for path in modules(package)]


@pytest.mark.parametrize("path", ALL_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_what_its_layer_may(path):
    bad = imported_roots(path) & forbidden_for(path)
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_every_package_is_checked():
    # A rule over no files passes vacuously; make sure each layer has modules to check.
    for package in PACKAGES:
        assert modules(package), package
    assert any(p.parts[-2] == "db" for p in ALL_MODULES)


def test_the_checker_catches_a_violation(tmp_path):
    fake = ROOT / "pricing" / "_probe_do_not_commit.py"
    try:
        fake.write_text("from sqlalchemy import select\nimport fastapi\n")
        assert imported_roots(fake) & forbidden_for(fake) == {"sqlalchemy", "fastapi"}
    finally:
        fake.unlink()
