"""The workbench names IATI codes from one source, the folder ``$GVCKIT_IATI_CODELISTS`` names:
a scan through a real ``gvckit serve`` (a job process, its parsing processes) stores the very
names ``gvckit portfolio scan --codelists`` stores for the same files and folder, row by row; the
activity page shows them as "Name (CODE)"; the review tables name countries as the scan did.
Without the folder every name stays empty and every code bare, as in the CLI without one.

Each check is also made against a plain second reading: the codelists' CSV files read with the
csv module and the codes of each stored activity, named by hand."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from conftest import shared_path
from webserver import Server, server_on

pytestmark = pytest.mark.shared

PATHS = ["IATI__IATI-Datastore/test_fixtures",  # nine files: the job's parsing processes
         "joshbrooks__pydantic-iati/111111_publisher-activities.xml",
         "zimmerman-team__IATI.cloud/MAEC_IATI_INDONESIA.xml"]  # fmt: skip
#: The columns of names the scanner stores (``gvckit.portfolio.schema``, migration 0002).
NAMES = ("status_name", "aid_type_name", "finance_type_name", "flow_type_name",
         "reporting_org_type_name", "country_names", "sector_names")  # fmt: skip
#: The codelists given (codeforiati's English CSV), and a recipient country left out of them.
LISTS = ("ActivityStatus", "AidType", "FinanceType", "FlowType", "OrganisationType", "Sector",
         "SectorCategory", "Country", "Region", "CollaborationType")  # fmt: skip
UNNAMED = "GM"


def _codelists(folder: Path) -> Path:
    """The shared codelists of :data:`LISTS` copied into ``folder``, Country without
    :data:`UNNAMED`."""
    shared = shared_path("iati", "codelists", "codeforiati", "api2", "csv", "en")
    folder.mkdir()
    for name in LISTS:
        shutil.copy(shared / f"{name}.csv", folder / f"{name}.csv")
    lines = (shared / "Country.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "Country.csv").write_text(
        "".join(line for line in lines if not line.startswith(f"{UNNAMED},")), encoding="utf-8"
    )
    return folder


def _plain(folder: Path | None) -> dict[str, dict[str, str]]:
    """A second reading of the codelists: code → name of each CSV file (none without)."""
    out: dict[str, dict[str, str]] = {name: {} for name in LISTS}
    for name in LISTS if folder is not None else ():
        assert folder is not None
        with open(folder / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            out[name] = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    return out


@pytest.fixture(scope="module", params=["named", "bare"])
def scanned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """A server (SQLite) with or without a codelists folder, :data:`PATHS` scanned by path into
    a workspace; the activities as stored (identifier → the scanner's row and its detail) and
    the folder."""
    tmp = tmp_path_factory.mktemp(f"codelists-{request.param}")
    folder = _codelists(tmp / "codelists") if request.param == "named" else None
    env = {"GVCKIT_PORTFOLIO_ROOTS": str(shared_path("iati", "activities")),
           "GVCKIT_IATI_CODELISTS": str(folder or "")}  # fmt: skip
    for server in server_on("sqlite", tmp, env=env):
        token = server.add_user("ana", "analyst")
        with server.client(token) as c:
            ws = c.post("/api/workspaces", json={"name": "named"}).json()["id"]
            jobs = [c.post(f"/api/workspaces/{ws}/portfolio/scans", json={"path": p}).json()["job"]
                    for p in PATHS]  # fmt: skip
            states = [server.wait_job(c, j, timeout=180) for j in jobs]
        assert [s["status"] for s in states] == ["done"] * len(PATHS), states
        yield {"server": server, "token": token, "ws": ws, "folder": folder,
               "stored": _stored(server, ws)}  # fmt: skip


def _stored(server: Server, ws: int) -> dict[str, dict[str, Any]]:
    """The workspace's activities as the scan stored them, read from the server's database."""
    return _stored_at(server.db, ws)


def _stored_at(url: str, ws: int) -> dict[str, dict[str, Any]]:
    """The workspace's activities in the database at ``url``: identifier → the scanner's row,
    its detail and finances (as stored)."""
    from sqlalchemy import create_engine, select

    from gvckit.store.portfolio_schema import ACTIVITIES, TEXTS

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(ACTIVITIES.c.iati_identifier, TEXTS.c.data)
                                .join(TEXTS, TEXTS.c.activity_id == ACTIVITIES.c.id)
                                .where(ACTIVITIES.c.workspace_id == ws)).all()  # fmt: skip
    finally:
        engine.dispose()
    return {ident: json.loads(data) for ident, data in rows}


def _cli(tmp: Path, folder: Path | None) -> dict[str, dict[str, str]]:
    """``gvckit portfolio scan`` of :data:`PATHS` (``--codelists`` the folder when given; never
    ``$GVCKIT_IATI_CODELISTS``): identifier → its name columns ('' for none)."""
    from gvckit.cli import main
    from gvckit.portfolio.store import PortfolioStore

    root = shared_path("iati", "activities")
    db = f"sqlite:///{tmp / 'cli.db'}"
    args = ["portfolio", "scan", *(str(root / p) for p in PATHS), "--db", db]
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(io.StringIO()), \
            redirect_stderr(io.StringIO()):  # fmt: skip
        mp.delenv("GVCKIT_IATI_CODELISTS", raising=False)
        assert main([*args, *(["--codelists", str(folder)] if folder else [])]) == 0
    with PortfolioStore(db) as store:
        frame = store.activities()
    return {r["iati_identifier"]: {c: r[c] if isinstance(r[c], str) else "" for c in NAMES}
            for r in frame.to_dict("records")}  # fmt: skip


def _by_hand(row: dict[str, Any], detail: dict[str, Any], lists: dict[str, dict[str, str]]
             ) -> dict[str, str]:  # fmt: skip
    """The names of one stored activity, from its codes and the plain reading of the lists."""

    def joined(listname: str, codes: list[str]) -> str:
        return "; ".join(f"{c} {lists[listname][c]}" if lists[listname].get(c) else c
                         for c in codes)  # fmt: skip

    sectors = detail["sectors"]  # [code, vocabulary, percentage]
    return {
        "status_name": lists["ActivityStatus"].get(row["status"] or "", ""),
        "aid_type_name": lists["AidType"].get(row["aid_type"] or "", ""),
        "finance_type_name": lists["FinanceType"].get(row["finance_type"] or "", ""),
        "flow_type_name": lists["FlowType"].get(row["flow_type"] or "", ""),
        "reporting_org_type_name": lists["OrganisationType"].get(row["reporting_org_type"] or "",
                                                                 ""),
        "country_names": joined("Country", [c.split(":")[0] for c in
                                            (row["countries"] or "").split(";") if c]),
        "sector_names": joined("Sector", [s[0] for s in sectors if s[1] == "1"])
        or joined("SectorCategory", [s[0] for s in sectors if s[1] == "2"]),
    }  # fmt: skip


def test_a_web_scan_stores_the_names_of_a_cli_scan(scanned: dict[str, Any], tmp_path: Path) -> None:
    stored, folder = scanned["stored"], scanned["folder"]
    cli = _cli(tmp_path, folder)
    web = {ident: {c: d["row"][c] or "" for c in NAMES} for ident, d in stored.items()}
    assert sorted(web) == sorted(cli) and len(web) > 600
    for ident in sorted(cli):  # row by row, column by column
        assert web[ident] == cli[ident], ident
    lists = _plain(folder)
    for ident, d in stored.items():
        assert web[ident] == _by_hand(d["row"], d["detail"], lists), ident
    filled = {c: sum(bool(names[c]) for names in web.values()) for c in NAMES}
    if folder is None:  # no names: the lists of codes keep the bare codes, as the CLI's do
        assert {c: filled[c] for c in NAMES[:5]} == dict.fromkeys(NAMES[:5], 0), filled
        for ident, d in stored.items():
            assert web[ident]["country_names"] == "; ".join(_codes(d["row"]["countries"]))
            assert all(" " not in entry for entry in web[ident]["sector_names"].split("; "))
    else:  # every kind of name is given to many activities, and a left-out code stays bare
        assert min(filled.values()) > 200, filled
        bare = [n for names in web.values() for n in names["country_names"].split("; ")]
        assert UNNAMED in bare and "KE Kenya" in bare


def _label(code: str, name: str) -> str:
    return f"{name} ({code})" if name else code


def _codes(joined: str | None) -> list[str]:
    """The codes of a stored list ("KE:60;TZ:40")."""
    return [x.split(":")[0] for x in (joined or "").split(";") if x]


def _labels_by_hand(d: dict[str, Any], lists: dict[str, dict[str, str]]) -> dict[str, Any]:
    """What the activity page shows for one stored activity, from its codes and the plain
    reading of the lists. Sectors are named from the list the scanner names them with: the DAC
    5-digit codes (vocabulary 1) when the activity has any, else the 3-digit ones (2)."""
    row, sectors = d["row"], d["detail"]["sectors"]  # [code, vocabulary, percentage]
    five = [s[0] for s in sectors if s[1] == "1"]
    listname, named = ("Sector", five) if five else (
        "SectorCategory", [s[0] for s in sectors if s[1] == "2"])  # fmt: skip
    out: dict[str, Any] = {
        key: _label(row[key] or "", lists[listname_].get(row[key] or "", ""))
        for key, listname_ in (("status", "ActivityStatus"),
                               ("reporting_org_type", "OrganisationType"),
                               ("aid_type", "AidType"), ("finance_type", "FinanceType"),
                               ("flow_type", "FlowType"))
    }  # fmt: skip
    out["countries"] = [_label(x, lists["Country"].get(x, "")) for x in _codes(row["countries"])]
    out["sectors"] = [_label(x, lists[listname].get(x, "") if x in named else "")
                      for x in _codes(row["sectors"])]  # fmt: skip
    return out


def test_the_activity_page_shows_names_with_their_codes(scanned: dict[str, Any]) -> None:
    """The API's ``labels`` and the activity page: "Name (CODE)" where the scan named a code
    (checked against the plain reading of the lists), the bare code where it did not."""
    server, ws, stored = scanned["server"], scanned["ws"], scanned["stored"]
    lists = _plain(scanned["folder"])
    base = f"/workspaces/{ws}/portfolio/activities"
    with server.client(scanned["token"]) as c:
        for ident, d in sorted(stored.items()):
            assert c.get(f"/api{base}/{ident}").json()["labels"] == _labels_by_hand(d, lists)
        unnamed = next(i for i, d in sorted(stored.items())
                       if UNNAMED in _codes(d["row"]["countries"]))  # fmt: skip
        kenya = next(i for i, d in sorted(stored.items()) if "KE" in _codes(d["row"]["countries"]))
        pages = {i: c.get(f"{base}/{i}").text for i in (unnamed, kenya)}
    for ident, page in pages.items():
        want = _labels_by_hand(stored[ident], lists)
        for key, shown in (("countries", ", ".join(want["countries"])),
                           ("status", want["status"]), ("aid-type", want["aid_type"] or "—"),
                           ("reporting-org-type", want["reporting_org_type"] or "—")):  # fmt: skip
            found = re.search(f'<td id="label-{key}">([^<]*)</td>', page)
            assert found is not None and html.unescape(found[1]) == shown, (ident, key)
    assert ("Kenya (KE)" in pages[kenya]) is (scanned["folder"] is not None)
    assert f"({UNNAMED})" not in pages[unnamed]


def test_the_review_tables_name_countries_as_the_scan_did(scanned: dict[str, Any]) -> None:
    """One source: each recipient country the review tables name has the name the scan stored
    for it (and the plain reading of Country.csv gives); without codelists none is named."""
    server, ws, stored = scanned["server"], scanned["ws"], scanned["stored"]
    with server.client(scanned["token"]) as c:
        countries = c.get(f"/api/workspaces/{ws}/portfolio/tables").json()["tables"]["country"]
    by_scan: dict[str, str] = {}
    for d in stored.values():
        for entry in (d["row"]["country_names"] or "").split("; "):
            code, _, name = entry.partition(" ")
            if name:
                by_scan[code] = name
    plain = _plain(scanned["folder"])["Country"]
    assert len(countries) > 20
    for r in countries:
        assert r["name"] == by_scan.get(r["value"], "") == plain.get(r["value"], ""), r
        assert r["label"] == _label(r["value"], r["name"]), r
    assert any(r["name"] for r in countries) is (scanned["folder"] is not None)


def test_the_server_refuses_a_wrong_codelists_folder(tmp_path: Path) -> None:
    """``gvckit serve`` reads the folder before serving: a folder without codelists stops it
    (exit code 2) with the reader's message."""
    from webserver import gvckit

    (tmp_path / "empty").mkdir()
    env = {"GVCKIT_IATI_CODELISTS": str(tmp_path / "empty")}
    code, _, err = gvckit("serve", "--data-dir", str(tmp_path / "data"), "--port", "0", env=env)
    assert code == 2 and "no IATI codelists here" in err, err


def test_the_parsing_processes_name_with_the_codelists_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan service the jobs run hands its codelists to its parsing processes (no process
    reads ``$GVCKIT_IATI_CODELISTS``, unset here): two processes store the names one process
    stores, and those of the plain reading."""
    from gvckit.auth.users import add_user
    from gvckit.portfolio.codelists import read_codelists
    from gvckit.portfolio.iati import find_files
    from gvckit.store import portfolio as pf
    from gvckit.store.database import open_engine
    from gvckit.store.workspaces import create_workspace

    monkeypatch.delenv("GVCKIT_IATI_CODELISTS", raising=False)
    folder = _codelists(tmp_path / "codelists")
    files = find_files([shared_path("iati", "activities", PATHS[0])])
    assert len(files) > 2
    runs = []
    for workers in (0, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        engine = open_engine(url)
        try:
            user, _ = add_user(engine, "ana", "analyst", None)
            ws = create_workspace(engine, user, "w", "", "", "")
            pf.ingest(engine, ws, None, "test", files, workers=workers,
                      codelists=read_codelists(folder))  # fmt: skip
        finally:
            engine.dispose()
        runs.append(_stored_at(url, ws))
    one, two = ({i: {c: d["row"][c] for c in NAMES} for i, d in run.items()} for run in runs)
    assert one == two and len(one) > 500
    assert sum(bool(names["status_name"]) for names in two.values()) > 500
    lists = _plain(folder)
    for ident, d in runs[1].items():
        assert two[ident] == _by_hand(d["row"], d["detail"], lists), ident
