"""The chain editor's forms for a snapshot's exchange rates and reference prices and for the
chain's sources and notes, against a real ``gvckit serve`` (SQLite): each form saves a version
the model accepts, its message shows beside the field, and the accounts the API gives after a
rate changes are the CLI's on the same chain."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from gvckit.chain import Chain, read_chain
from gvckit.cli import main
from webserver import Server, server_on

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from server_on("sqlite", tmp_path_factory.mktemp("rates"))


@pytest.fixture(scope="module")
def ana(server: Server) -> str:
    return server.add_user("ana", "analyst")


def _cli_rows(chain: Chain, tmp: Path, view: str, capsys: pytest.CaptureFixture[str]) -> Any:
    path = tmp / "chain.json"
    path.write_text(chain.to_json())
    capsys.readouterr()
    assert main(["chain", "accounts", str(path), "--view", view, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _chain(c: Any, cid: int) -> Chain:
    return Chain.model_validate(c.get(f"/api/chains/{cid}").json())


def test_rate_form_changes_the_accounts_as_the_library(
    server: Server, ana: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = read_chain(SMALL)
    year = original.snapshots[0].year
    with server.client(ana) as c:
        r = c.post("/api/workspaces", json={"name": "Rates"})
        ws = r.json()["id"]
        cid = c.post(f"/api/workspaces/{ws}/chains",
                     files={"file": (SMALL.name, SMALL.read_bytes())}).json()["id"]  # fmt: skip
        before = c.get(f"/api/chains/{cid}/accounts").json()
        page = c.get(f"/chains/{cid}/edit").text
        assert 'id="exchange_rates-0-currency"' in page and 'value="EUR"' in page
        assert 'id="reference_prices-new-stage"' in page and '<option value="retail"' in page
        form = {"version": "1", "year": str(year), "part": "exchange_rates", "index": "0",
                "currency": "EUR", "rate": "1.25"}  # fmt: skip
        assert c.post(f"/chains/{cid}/edit", data=form).status_code == 303
        edited = _chain(c, cid)
        assert edited.snapshots[0].exchange_rates == {"EUR": 1.25}
        want = original.model_copy(update={"snapshots": (original.snapshots[0].model_copy(
            update={"exchange_rates": {"EUR": 1.25}}),)})  # fmt: skip
        assert edited == want
        for view in ("accounts", "prices", "distribution"):
            got = c.get(f"/api/chains/{cid}/accounts", params={"view": view}).json()
            assert got == _cli_rows(want, tmp_path, view, capsys), view
        after = c.get(f"/api/chains/{cid}/accounts").json()
        changed = [(a["actor"], a["indicator"]) for a, b in zip(before, after, strict=True)
                   if a["value"] != b["value"]]  # fmt: skip
        assert ("roaster", "value_added") in changed  # the EUR actor's accounts moved
        # the model's message beside the rate: a rate must be positive
        r = c.post(f"/chains/{cid}/edit", data={**form, "version": "2", "rate": "-1"})
        assert r.status_code == 422
        err = re.search(r'id="exchange_rates-0-rate-err"[^>]*>([^<]+)<', r.text)
        assert err is not None and "greater than 0" in err.group(1)
        # a currency given twice: beside the currency of the new entry
        r = c.post(f"/chains/{cid}/edit", data={**form, "version": "2", "index": ""})
        assert r.status_code == 422
        err = re.search(r'id="exchange_rates-new-currency-err"[^>]*>([^<]+)<', r.text)
        assert err is not None and "'EUR' is given twice" in html.unescape(err.group(1))
        # removing the rate the roaster needs: the model's message, nothing saved
        r = c.post(f"/chains/{cid}/edit", data={**form, "version": "2", "action": "delete"})
        assert r.status_code == 422 and "no exchange rate" in r.text
        # a reference price, a source and notes
        price = {"version": "2", "year": str(year), "part": "reference_prices",
                 "stage": "retail", "price": "13.5"}  # fmt: skip
        assert c.post(f"/chains/{cid}/edit", data=price).status_code == 303
        source = {"version": "3", "year": str(year), "part": "sources",
                  "citation": "Field survey 2020", "page": "12"}  # fmt: skip
        assert c.post(f"/chains/{cid}/edit", data=source).status_code == 303
        header = {k: getattr(original, k) for k in ("name", "product", "country", "currency",
                                                    "unit")}  # fmt: skip
        r = c.post(f"/chains/{cid}/header", data={**header, "version": "4", "year": str(year),
                                                  "notes": "Prices at farm gate."})  # fmt: skip
        assert r.status_code == 303
        final = _chain(c, cid)
        assert final.snapshots[0].reference_prices == {"retail": 13.5}
        assert final.sources[-1].citation == "Field survey 2020" and final.sources[-1].page == "12"
        assert final.notes == "Prices at farm gate."
        assert len(final.sources) == len(original.sources) + 1
        versions = c.get(f"/api/chains/{cid}/versions").json()
        assert [v["version"] for v in versions] == [5, 4, 3, 2, 1]
        assert "exchange_rates.EUR: 1.1 → 1.25" in versions[3]["summary"]
        # empty notes remove them
        r = c.post(f"/chains/{cid}/header", data={**header, "version": "5", "notes": ""})
        assert r.status_code == 303 and _chain(c, cid).notes is None


def test_a_decimal_comma_is_refused_not_read_as_a_thousands_separator(
    server: Server, ana: str
) -> None:
    """Field staff who write decimals with a comma (``1,5``) get the model's message beside
    the field and nothing saved, never a price ten or a thousand times too large; commas that
    group thousands (``1,234.5``, as the pages show numbers) are read as such. The same for an
    actual entered on the monitoring page."""
    results = (Path(__file__).resolve().parents[1] / "src" / "gvckit" / "examples"
               / "interventions" / "coffee_nicaragua_us_2009_results.yaml")  # fmt: skip
    original = read_chain(SMALL)
    year = original.snapshots[0].year
    with server.client(ana) as c:
        ws = c.post("/api/workspaces", json={"name": "Commas"}).json()["id"]
        cid = c.post(f"/api/workspaces/{ws}/chains",
                     files={"file": (SMALL.name, SMALL.read_bytes())}).json()["id"]  # fmt: skip
        link = original.snapshots[0].links[0]
        form = {"version": "1", "year": str(year), "part": "links", "index": "0",
                "source": link.source, "target": link.target,
                "volume": str(link.volume)}  # fmt: skip
        assert link.volume is not None
        for text in ("1,5", "1.000,50", "12,34,567", ",5", "1,5.0"):
            r = c.post(f"/chains/{cid}/edit", data={**form, "unit_price": text})
            assert r.status_code == 422, text
            err = re.search(r'id="links-0-unit_price-err"[^>]*>([^<]+)<', r.text)
            assert err is not None and "valid number" in err.group(1), text
            assert _chain(c, cid) == original
        for text, value in (("1,234.5", 1234.5), ("12,345", 12345.0), ("2.5", 2.5)):
            version = len(c.get(f"/api/chains/{cid}/versions").json())
            form |= {"unit_price": text, "version": str(version)}
            r = c.post(f"/chains/{cid}/edit", data=form)
            assert r.status_code == 303, (text, r.text[:300])
            assert _chain(c, cid).snapshots[0].links[0].unit_price == value
        rid = c.post(f"/api/workspaces/{ws}/results",
                     files={"file": (results.name, results.read_bytes())}).json()["id"]  # fmt: skip
        actual = {"indicator": "contracts", "date": "2010-03-31"}
        r = c.post(f"/results/{rid}/actuals", data={**actual, "value": "1,5"})
        assert r.status_code == 422 and "value: give a number" in r.text
        got = c.get(f"/api/results/{rid}").json()
        assert not any(i.get("actuals") for i in got["indicators"])
        r = c.post(f"/results/{rid}/actuals", data={**actual, "value": "1,250"})
        assert r.status_code == 303
        got = c.get(f"/api/results/{rid}").json()
        [ind] = [i for i in got["indicators"] if i["id"] == "contracts"]
        assert [a["value"] for a in ind["actuals"]] == [1250.0]


def test_removing_a_link_reads_as_that_link_removed_in_the_history(
    server: Server, ana: str
) -> None:
    """Links have no id: the history names them by their ends, so that removing the first
    link reads as that link removed, not as every later link changed into the next one."""
    original = read_chain(SMALL)
    snap = original.snapshots[0]
    first = snap.links[0]
    with server.client(ana) as c:
        ws = c.post("/api/workspaces", json={"name": "History"}).json()["id"]
        cid = c.post(f"/api/workspaces/{ws}/chains",
                     files={"file": (SMALL.name, SMALL.read_bytes())}).json()["id"]  # fmt: skip
        r = c.post(f"/chains/{cid}/edit", data={"version": "1", "year": str(snap.year),
                   "part": "links", "index": "0", "action": "delete"})  # fmt: skip
        assert r.status_code == 303
        diff = c.get(f"/api/chains/{cid}/diff", params={"a": 1, "b": 2}).json()
        where = f"snapshots[{snap.year}].links[{first.source}→{first.target}]"
        assert diff and all(line.startswith(f"removed {where}.") for line in diff), diff
        [latest, _] = c.get(f"/api/chains/{cid}/versions").json()
        assert latest["summary"].startswith(f"removed {where}.")
        page = c.get(f"/chains/{cid}/history", params={"a": 1, "b": 2}).text
        assert html.escape(where) in page and "links[0]" not in page


def test_the_first_forms_messages_stand_beside_their_fields(server: Server, ana: str) -> None:
    """The form that starts a chain shows the model's message beside the field it is about
    (the year, the first stage, a missing currency), with what was typed kept."""
    good = {"name": "Beans", "product": "beans", "country": "Kenya", "currency": "KES",
            "unit": "kg", "year": "2022", "stage": "farm", "actor": "growers",
            "kind": "smallholder"}  # fmt: skip
    with server.client(ana) as c:
        ws = c.post("/api/workspaces", json={"name": "First form"}).json()["id"]
        for key, bad, words in (("year", "20x2", "valid integer"), ("currency", "", "currency"),
                                ("stage", " ", "stage"), ("kind", "giant", "kind")):  # fmt: skip
            r = c.post(f"/workspaces/{ws}/chains/new", data={**good, key: bad})
            assert r.status_code == 422, key
            err = re.search(rf'id="new-{key}-err"[^>]*>([^<]+)<', r.text)
            assert err is not None and words in html.unescape(err.group(1)), (key, r.text[-3000:])
            assert f'aria-describedby="new-{key}-err"' in r.text
            assert 'value="Beans"' in r.text  # what was typed is kept
        assert c.get(f"/api/workspaces/{ws}/chains").json() == []
        r = c.post(f"/workspaces/{ws}/chains/new", data=good, follow_redirects=False)
        assert r.status_code == 303
