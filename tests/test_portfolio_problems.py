"""Problems in plain sight: counted by kind on the scan's last line, a warning when a file loses
more than 1 % of its transactions or budgets, listed by ``gvckit portfolio problems``, kept by
kind in the database (migration 0003 names the kind of rows stored before it)."""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from gvckit.portfolio.store import PortfolioStore

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_iati import HEAD, TAIL, activity

from clirun import run_cli as _run


def _postgres() -> str | None:
    return os.environ.get("GVCKIT_TEST_POSTGRES") or None


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """A file losing 2 of its 100 transactions (2 %) and a clean file of 100 transactions with
    one amount without currency."""
    good = "".join(activity(f"XX-OK-{i}") for i in range(98))
    lossy = tmp_path / "lossy.xml"
    lossy.write_text(HEAD + good + activity("XX-NAN", value="one million")
                     + activity("XX-Q7").replace('code="2"/>', 'code="Q7"/>') + TAIL)  # fmt: skip
    clean = tmp_path / "clean.xml"
    nocur = activity("XX-NOCUR").replace(' default-currency="EUR"', "")
    clean.write_text(HEAD + "".join(activity(f"XX-C-{i}") for i in range(99)) + nocur + TAIL)
    return lossy, clean


def test_scan_counts_and_warns_and_problems_lists(tmp_path: Path) -> None:
    lossy, clean = _files(tmp_path)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, _, err = _run("portfolio", "scan", str(lossy), str(clean), "--db", db)
    assert code == 0, err
    last = err.strip().splitlines()[-1]
    assert last.endswith("problems: 1 missing currency, 1 transaction value not a number,"
                         " 1 unknown transaction type")  # fmt: skip
    warning = [line for line in err.splitlines() if "warning" in line or "lossy" in line]
    assert "skipped in 1 files" in warning[0] and "unknown transaction type 1" in warning[0]
    assert "lossy.xml: 2 of 100 transactions skipped" in warning[1]
    assert "clean.xml" not in err  # 0 of 100 skipped: the missing currency is kept, flagged
    code, out, _ = _run("portfolio", "problems", "--db", db, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["kind"], Path(r["file"]).name, r["iati_identifier"], r["count"])
                          for r in rows] == [
        ("missing currency", "clean.xml", "XX-NOCUR", "1"),
        ("transaction value not a number", "lossy.xml", "XX-NAN", "1"),
        ("unknown transaction type", "lossy.xml", "XX-Q7", "1"),
    ]  # fmt: skip
    code, out, _ = _run("portfolio", "problems", "--db", db)
    assert code == 0 and "unknown transaction type" in out and "XX-Q7" in out


def test_a_clean_scan_says_none(tmp_path: Path) -> None:
    clean = tmp_path / "c.xml"
    clean.write_text(HEAD + activity("XX-1") + TAIL)
    db = f"sqlite:///{tmp_path / 'p.db'}"
    code, _, err = _run("portfolio", "scan", str(clean), "--db", db)
    assert code == 0 and err.strip().endswith("problems: none") and "warning" not in err
    code, out, err = _run("portfolio", "problems", "--db", db)
    assert code == 0 and out == "" and "no problems recorded" in err


OLD_MESSAGES = {
    "unknown transaction type '72050': transaction skipped": "unknown transaction type",
    "transaction type 3: no value": "transaction without value",
    "transaction type 2: value 'n/a' is not a number": "transaction value not a number",
    "budget 2020-01-01–2020-12-31: value None is not a number": "budget value not a number",
    "sector: percentage 'x' is not a number": "percentage not a number",
    "something else": "other",
}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_names_the_kind_of_old_problems(tmp_path: Path, backend: str) -> None:
    """A database at portfolio revision 0002 (problems without a kind) gets each old problem's
    kind from its message when the store opens it (revision 0003), on a fresh database."""
    from alembic import command

    from gvckit.store.database import alembic_config
    from pg import fresh_postgres

    def check(url: str) -> None:
        engine = create_engine(url)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
            for message in OLD_MESSAGES:
                conn.execute(text("INSERT INTO portfolio_problems (iati_identifier, message) "
                                  "VALUES ('XX-1', :m)"), {"m": message})  # fmt: skip
        engine.dispose()
        with PortfolioStore(url) as store, store.engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT message, kind FROM portfolio_problems")).all())
        assert rows == OLD_MESSAGES

    if backend == "sqlite":
        check(f"sqlite:///{tmp_path / 'old.db'}")
        return
    with fresh_postgres() as url:
        check(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_long_texts_fit_their_columns(tmp_path: Path, backend: str) -> None:
    """A 33-character last-updated-datetime (.NET exports) is kept whole; a hostile currency
    longer than its column is cut rather than failing the scan on PostgreSQL."""
    url = f"sqlite:///{tmp_path / 'p.db'}" if backend == "sqlite" else _postgres()
    if url is None:
        pytest.skip("set GVCKIT_TEST_POSTGRES to test on PostgreSQL")
    stamp = "2009-06-29T00:00:00.0000000-07:00"
    body = (activity("XX-LONG").replace("2024-01-01T00:00:00", stamp)
            .replace('default-currency="EUR"', 'default-currency="' + "E" * 40 + '"'))  # fmt: skip
    path = tmp_path / "long.xml"
    path.write_text(HEAD + body + TAIL)
    with PortfolioStore(url) as store:
        with store.engine.begin() as conn:
            for table in ("portfolio_finances", "portfolio_problems", "portfolio_activities"):
                conn.execute(text(f"DELETE FROM {table}"))
        assert store.scan([path]).activities == 1
        row = store.activity("XX-LONG")
    assert row is not None and row["last_updated"] == stamp
    assert row["finances"][0]["currency"] == "E" * 8
