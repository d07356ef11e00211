"""The ``secondlock`` command on a real database: bootstrap, keys, fixtures."""

import pytest

from api.cli import main
from tests.small_book import credit_code
from underwriting.keys import authenticate
from underwriting.vocabulary import Role


@pytest.fixture
def cli(monkeypatch, database_url, uows, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_bootstrap_a_book_and_mint_a_key_shown_once(cli, uows):
    code, out, _ = cli("platform", "create", "--name", "平台", "--credit-code", credit_code(9))
    assert code == 0
    org = int(out.split()[2].rstrip(";"))
    code, out, err = cli("keys", "create", "--org", str(org), "--role", "admin")
    assert code == 0 and "shown only now" in err
    key = out.splitlines()[1]
    principal = authenticate(uows, key)
    assert principal.role is Role.ADMIN and principal.organisation_id == org
    key_id = out.split()[2]
    assert cli("keys", "revoke", "--id", key_id)[0] == 0
    assert authenticate(uows, key) is None


def test_a_role_must_fit_the_organisation(cli):
    _, out, _ = cli("platform", "create", "--name", "平台", "--credit-code", credit_code(9))
    org = out.split()[2].rstrip(";")
    code, _, err = cli("keys", "create", "--org", org, "--role", "firm")
    assert code == 2 and "belongs to a firm" in err


def test_generate_then_load_a_market(cli, tmp_path, uows):
    out_dir = tmp_path / "market"
    code, out, _ = cli(
        "fixtures",
        "generate",
        "--firms",
        "3",
        "--enterprises",
        "15",
        "--years",
        "2",
        "--seed",
        "11",
        "--out",
        str(out_dir),
    )
    assert code == 0 and (out_dir / "truth.json").exists()
    code, out, _ = cli("fixtures", "load", str(out_dir))
    assert code == 0 and "organisation" in out
    with uows() as uow:
        assert uow.firms.count() == 3 and uow.enterprises.count() == 15
    code, _, err = cli("fixtures", "load", str(out_dir))
    assert code == 2 and "empty book" in err


def test_calibrate_stores_a_draft_as_the_platform_operator(cli, uows):
    from underwriting.db.tables import AuditEvent

    _, out, _ = cli("platform", "create", "--name", "平台", "--credit-code", credit_code(9))
    code, out, err = cli("calibrate", "--as-of", "2023-12-31", "--store")
    assert (code, err) == (0, "")
    assert out.startswith("stored draft cal-2023-12-31 with its diagnostics")
    with uows() as uow:
        model = uow.rating_models.get("cal-2023-12-31")
        assert (model.status, model.created_by_key_id) == ("draft", None)
        assert uow.calibrations.of_model("cal-2023-12-31").diagnostics["frequency"]["n_obs"] == 9600
        drafted = uow.session.query(AuditEvent).filter_by(action="model.draft").one()
        assert drafted.api_key_id is None
    code, _, err = cli("calibrate", "--as-of", "2023-12-31", "--store")
    assert code == 2 and "already exists" in err


def test_calibrate_store_needs_a_platform(cli):
    code, out, err = cli("calibrate", "--as-of", "2023-12-31", "--store")
    assert (code, out) == (2, "")
    assert "platform" in err
