"""Portfolio amounts as the IATI standard attributes them (found by an independent reading of
the shared corpus, issue #13): finance types declared per transaction, country and region
percentages that add up to 100 together, an identifier repeated within one file, and money on a
terminal table."""

from __future__ import annotations

from pathlib import Path

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
