"""Portfolio amounts as the IATI standard attributes them (found by an independent reading of
the shared corpus, issue #13): finance types declared per transaction, country and region
percentages that add up to 100 together, an identifier repeated within one file, and money on a
terminal table."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from gvckit.cli import main
from gvckit.portfolio.store import PortfolioStore
from gvckit.portfolio.summary import summary

ALL = ("yes", "possible", "no")


def _write(path: Path, body: str) -> Path:
    path.write_text(f'<?xml version="1.0"?>\n<iati-activities version="2.03">\n{body}'
                    "</iati-activities>\n")  # fmt: skip
    return path


def _activity(ident: str, inner: str, updated: str = "2024-01-01T00:00:00") -> str:
    return (f'<iati-activity default-currency="USD" last-updated-datetime="{updated}">\n'
            f" <iati-identifier>{ident}</iati-identifier>\n"
            f' <reporting-org ref="XX" type="10"><narrative>Donor</narrative></reporting-org>\n'
            f" <title><narrative>Road maintenance</narrative></title>\n{inner}"
            "</iati-activity>\n")  # fmt: skip


def _tx(code: str, value: str, extra: str = "") -> str:
    return (f' <transaction><transaction-type code="{code}"/>{extra}'
            f'<value value-date="2020-01-01">{value}</value></transaction>\n')  # fmt: skip


def test_finance_type_declared_on_transactions_only(tmp_path: Path) -> None:
    # IATI 2.0x: transaction/finance-type applies to its transaction; the activity's default
    # is only the fallback. A World Bank-style activity declares it on transactions alone.
    loans = _activity("XX-LOAN", '<default-aid-type code="C01"/>\n'
                      + _tx("2", "1000", '<finance-type code="410"/>')
                      + _tx("3", "400", '<finance-type code="410"/>'))  # fmt: skip
    grant = _activity("XX-GRANT", '<default-finance-type code="110"/>\n' + _tx("2", "50"))
    mixed = _activity("XX-MIXED", _tx("2", "10", '<finance-type code="110"/>')
                      + _tx("2", "20", '<finance-type code="421"/>'))  # fmt: skip
    tc = _activity("XX-TC", _tx("2", "5", '<finance-type code="110"/><aid-type code="D02"/>'))
    p = _write(tmp_path / "a.xml", loans + grant + mixed + tc)
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([p], workers=1)
        groups = store.activities().set_index("iati_identifier")["finance_group"].to_dict()
        assert groups == {"XX-LOAN": "loan", "XX-GRANT": "grant", "XX-MIXED": "mixed",
                          "XX-TC": "technical cooperation"}  # fmt: skip
        table = summary(store, "finance_type", value_chain=ALL).set_index("finance_type")
        assert table.loc["loan", "commitment"] == 1000.0
        assert "unknown" not in table.index


def test_country_shares_leave_the_regional_share_to_regions(tmp_path: Path) -> None:
    # IATI: the percentages of recipient countries and regions add up to 100 together, so a
    # country at 40 % gets 40 % of the amounts, not all of them.
    body = _activity("XX-CR", '<recipient-country code="KE" percentage="40"/>\n'
                     '<recipient-region code="298" vocabulary="1" percentage="60"/>\n'
                     + _tx("2", "1000"))  # fmt: skip
    only = _activity(
        "XX-C",
        '<recipient-country code="KE" percentage="50"/>\n'
        '<recipient-country code="UG" percentage="50"/>\n' + _tx("2", "100"),
    )
    odd = _activity("XX-ODD", '<recipient-country code="TZ" percentage="100"/>\n'
                    '<recipient-region code="298" vocabulary="1" percentage="100"/>\n'
                    + _tx("2", "10"))  # fmt: skip
    p = _write(tmp_path / "a.xml", body + only + odd)
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        store.scan([p], workers=1)
        table = summary(store, "country", value_chain=ALL).set_index("country")["commitment"]
        assert table.to_dict() == pytest.approx({"KE": 450.0, "UG": 50.0, "(regions)": 600.0,
                                                 "TZ": 10.0})  # fmt: skip
        assert table.sum() == pytest.approx(1110.0)  # still the portfolio's total


def test_identifier_repeated_in_one_file_is_a_listed_duplicate(tmp_path: Path) -> None:
    # the same rule as across files: the later update is kept, else the first; listed either way
    first = _activity("XX-SAME", _tx("2", "100"), updated="2024-06-01T00:00:00")
    stale = _activity("XX-SAME", _tx("2", "999"), updated="2023-01-01T00:00:00")
    p = _write(tmp_path / "a.xml", first + stale)
    with PortfolioStore(f"sqlite:///{tmp_path / 'p.db'}") as store:
        result = store.scan([p], workers=1)
        assert result.duplicates == 1
        assert store.finances()["value"].tolist() == [100.0]
        assert store.duplicates()["iati_identifier"].tolist() == ["XX-SAME"]


def test_terminal_table_shows_large_amounts_in_millions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = _write(tmp_path / "a.xml", _activity("XX-BIG", _tx("2", "2180753217.69")))
    db = f"sqlite:///{tmp_path / 'p.db'}"
    with PortfolioStore(db) as store:
        store.scan([p], workers=1)
    out = io.StringIO()
    monkeypatch.setattr(out, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setenv("COLUMNS", "200")
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert main(["portfolio", "summary", "--db", db, "--value-chain", "yes,possible,no"]) == 0
    shown = out.getvalue()
    assert "commitment (millions)" in shown and "2,180.8" in shown
