"""The workbench's safety rules against a real server: CSRF on every session write, cookie
flags, signed cookies, generated upload names (path traversal), the upload limit enforced while
the body arrives, 404 for non-members' pages, secrets never logged or returned, login rate
limit, security headers, and refusing to serve the network with no users."""

from __future__ import annotations

import io
import json
import re
import socket
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")

from webserver import Server, gvckit

LEATHER = Path(__file__).resolve().parents[1] / "src" / "gvckit" / "data" / "leather.csv"
LIMIT = 1 << 20  # GVCKIT_MAX_UPLOAD_MB=1


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("security")
    srv = Server(tmp / "data", f"sqlite:///{tmp / 'gvckit.db'}",
                 env={"GVCKIT_MAX_UPLOAD_MB": "1"}, workers=1).start()  # fmt: skip
    yield srv
    srv.stop()


def _session(server: Server) -> tuple[httpx.Client, str]:
    """A browser-like client logged in as the local admin through a fresh one-time link, and
    its CSRF token (read from a page, as a browser would)."""
    from gvckit.auth import users
    from gvckit.store.database import open_engine

    engine = open_engine(server.db, upgrade=False)
    try:
        admin = users.ensure_local_admin(engine)
        assert admin is not None
        link = users.new_login_link(engine, admin)
    finally:
        engine.dispose()
    client = httpx.Client(base_url=server.url, timeout=60)
    r = client.get("/login/link", params={"token": link})
    assert r.status_code == 303
    page = client.get("/").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return client, found.group(1)


def test_session_cookie_flags_and_signature(server: Server) -> None:
    from gvckit.auth import users
    from gvckit.store.database import open_engine

    engine = open_engine(server.db, upgrade=False)
    admin = users.ensure_local_admin(engine)
    assert admin is not None
    link = users.new_login_link(engine, admin)
    engine.dispose()
    with httpx.Client(base_url=server.url) as c:
        r = c.get("/login/link", params={"token": link})
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie"
                      and v.startswith("gvckit_session="))  # fmt: skip
        flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite", "path", "max-age"} <= flags
        assert "samesite=lax" in cookie.lower()
        assert c.get("/api/workspaces").status_code == 200
        # the same link works once
        assert c.get("/login/link", params={"token": link}).status_code == 401
        # a tampered cookie is no session
        value = c.cookies["gvckit_session"]
        c.cookies.set("gvckit_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
        assert c.get("/api/workspaces").status_code == 401
        assert c.get("/").status_code == 303


def test_csrf_missing_or_wrong_is_403(server: Server) -> None:
    client, csrf = _session(server)
    with closing(client):
        form = {"name": "CSRF test"}
        assert client.post("/workspaces", data=form).status_code == 403
        assert client.post("/workspaces", data={**form, "csrf_token": "wrong"}).status_code == 403
        assert client.post("/api/workspaces", json=form).status_code == 403
        wrong = {"X-CSRF-Token": csrf[:-1] + "x"}
        assert client.post("/api/workspaces", json=form, headers=wrong).status_code == 403
        assert client.post("/logout").status_code == 403
        names = [w["name"] for w in client.get("/api/workspaces").json()]
        assert "CSRF test" not in names
        ok = client.post("/workspaces", data={**form, "csrf_token": csrf})
        assert ok.status_code == 303 and ok.headers["location"].startswith("/workspaces/")
        r = client.post("/api/workspaces", json=form, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        # uploads read the form as it streams: the token must come before the file
        ws = r.json()["id"]
        table = {"file": ("t.csv", LEATHER.read_bytes())}
        assert client.post(f"/workspaces/{ws}/tables", files=table).status_code == 403
        wrong = client.post(f"/workspaces/{ws}/tables", files=table, data={"csrf_token": "x"})
        assert wrong.status_code == 403
        assert client.post(f"/api/workspaces/{ws}/tables", files=table).status_code == 403
        assert client.get(f"/api/workspaces/{ws}/tables").json() == []
        ok = client.post(f"/workspaces/{ws}/tables", files=table, data={"csrf_token": csrf})
        assert ok.status_code == 303 and ok.headers["location"].startswith("/tables/")
        # the login form has its own double-submit token
        with httpx.Client(base_url=server.url) as anon:
            r = anon.post("/login", data={"name": "x", "password": "y"})
            assert r.status_code == 403


def test_upload_names_are_never_paths(server: Server) -> None:
    client, csrf = _session(server)
    with closing(client):
        ws = client.post("/api/workspaces", json={"name": "names"},
                         headers={"X-CSRF-Token": csrf}).json()["id"]  # fmt: skip
        body = LEATHER.read_bytes()
        for name in ("../../../escaped.csv", "..\\..\\escaped.csv", "/etc/passwd.csv",
                     "....//escaped.csv", "\x00evil\n.csv"):  # fmt: skip
            r = client.post(f"/api/workspaces/{ws}/tables", files={"file": (name, body)},
                            headers={"X-CSRF-Token": csrf})  # fmt: skip
            assert r.status_code == 201, (name, r.text)
            info = client.get(f"/api/tables/{r.json()['id']}").json()
            assert "/" not in info["name"] and "\\" not in info["name"]
            assert "\x00" not in info["name"] and "\n" not in info["name"]
    root = server.data_dir.parent
    strays = [p for p in root.rglob("*") if "escaped" in p.name or "passwd" in p.name]
    assert strays == []
    stored = sorted(p.name for p in (server.data_dir / "uploads").iterdir())
    assert all(re.fullmatch(r"[0-9a-f]{32}(\.[a-z.]+)?", n) for n in stored), stored


def _raw(server: Server, head: bytes, chunks: list[bytes]) -> tuple[str, float]:
    """Send a request by hand: headers, then ``chunks`` while the server may answer early;
    returns the status line and how long the answer took."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(head)
        start = time.monotonic()
        for chunk in chunks:
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        reply = s.recv(4096).decode("latin-1")
        return reply.split("\r\n", 1)[0], time.monotonic() - start


def test_oversized_upload_refused_before_it_is_all_read(server: Server) -> None:
    client, csrf = _session(server)
    token_cookie = client.cookies["gvckit_session"]
    with closing(client):
        ws = client.post("/api/workspaces", json={"name": "big"},
                         headers={"X-CSRF-Token": csrf}).json()["id"]  # fmt: skip
    common = (f"POST /api/workspaces/{ws}/tables HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              f"Cookie: gvckit_session={token_cookie}\r\nX-CSRF-Token: {csrf}\r\n"
              "Content-Type: multipart/form-data; boundary=XX\r\n")  # fmt: skip
    # a declared length over the limit: refused at once, none of the body sent
    status, _ = _raw(server, (common + "Content-Length: 5000000000\r\n\r\n").encode(), [])
    assert status.startswith("HTTP/1.1 413")
    # chunked, no length: refused once the limit is passed, long before the declared end
    part = b'--XX\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
    block = b"x" * 65536
    chunks = [f"{len(part):x}\r\n".encode() + part + b"\r\n"]
    chunks += [f"{len(block):x}\r\n".encode() + block + b"\r\n"] * (2 * LIMIT // len(block))
    status, _ = _raw(server, (common + "Transfer-Encoding: chunked\r\n\r\n").encode(), chunks)
    assert status.startswith("HTTP/1.1 413")
    uploads = server.data_dir / "uploads"
    assert not uploads.exists() or not [p for p in uploads.iterdir() if p.name.startswith(".part")]
    with httpx.Client(base_url=server.url, cookies={"gvckit_session": token_cookie}) as c:
        assert c.get(f"/api/workspaces/{ws}/tables").json() == []


def test_non_members_get_404_pages(server: Server) -> None:
    ana = server.add_user("ana", "analyst")
    with server.client(ana) as c:
        ws = c.post("/api/workspaces", json={"name": "private"}).json()["id"]
        with open(LEATHER, "rb") as fh:
            table = c.post(f"/api/workspaces/{ws}/tables", files={"file": ("t.csv", fh)}).json()
        job = c.post(f"/api/tables/{table['id']}/measures/vs", json={}).json()["job"]
    client, _ = _session(server)  # the local admin is not a member
    with closing(client):
        for path in (f"/workspaces/{ws}", f"/tables/{table['id']}", f"/jobs/{job}",
                     f"/jobs/{job}/state", f"/tables/{table['id']}/options"):  # fmt: skip
            r = client.get(path)
            assert r.status_code == 404, path
            assert "private" not in r.text and "t.csv" not in r.text


def test_secrets_never_logged_nor_returned(server: Server) -> None:
    from sqlalchemy import select

    from gvckit.store.database import open_engine
    from gvckit.store.schema import SESSIONS, TOKENS, USERS

    token = server.add_user("sam", "analyst")
    with httpx.Client(base_url=server.url) as c:
        page = c.get("/login").text
        nonce = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert nonce is not None
        r = c.post("/login", data={"name": "sam", "password": "password-sam",
                                   "csrf_token": nonce.group(1)})  # fmt: skip
        assert r.status_code == 303
        answers = [c.get("/").text, c.get("/api/workspaces").text]
    with server.client(token) as c:
        ws = c.post("/api/workspaces", json={"name": "s"}).json()["id"]
        answers += [c.get(f"/api/workspaces/{ws}/members").text, c.get("/api/workspaces").text]
    for text in answers:
        assert "password-sam" not in text and token not in text and "argon2" not in text
    log = server.log.read_text()
    assert "password-sam" not in log and token not in log
    links = re.findall(r"token=(\S+)", log)
    engine = open_engine(server.db, upgrade=False)
    with engine.connect() as conn:
        hashes = [r[0] for r in conn.execute(select(USERS.c.password_hash)) if r[0]]
        stored = [r[0] for r in conn.execute(select(TOKENS.c.token_hash))]
        sessions = [r[0] for r in conn.execute(select(SESSIONS.c.token_hash))]
    engine.dispose()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored + sessions)
    assert token not in stored and all(link not in stored for link in links)


def test_login_attempts_are_rate_limited(server: Server) -> None:
    server.add_user("rita", "viewer")
    with httpx.Client(base_url=server.url) as c:

        def attempt(password: str) -> int:
            nonce = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
            assert nonce is not None
            return c.post("/login", data={"name": "rita", "password": password,
                                          "csrf_token": nonce.group(1)}).status_code  # fmt: skip

        assert [attempt(f"wrong-{k}") for k in range(10)] == [401] * 10
        assert attempt("password-rita") == 429  # even the right one, for a while


def test_security_headers(server: Server) -> None:
    with httpx.Client(base_url=server.url) as c:
        for path in ("/login", "/api/health", "/static/app.css"):
            h = c.get(path).headers
            csp = h["content-security-policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
            assert "http:" not in csp and "https:" not in csp and "*" not in csp
            assert h["x-content-type-options"] == "nosniff"
            assert "server" not in h
        assert c.get("/login").headers["cache-control"] == "no-store"
        from gvckit.web.app import plotly_bundle

        _, version = plotly_bundle()
        r = c.get(f"/static/plotly-{version}.min.js")
        assert r.status_code == 200 and "immutable" in r.headers["cache-control"]
        assert r.headers["content-type"].startswith("text/javascript")


def test_network_host_without_users_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    code, _, err = gvckit("serve", "--host", "0.0.0.0", "--db", db, "--data-dir", str(tmp_path))
    assert code == 2
    assert "refusing to serve on 0.0.0.0 with no users" in err and "gvckit users add" in err
    assert len(err.strip().splitlines()) == 1


def test_users_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from gvckit.cli import main

    db = ["--db", f"sqlite:///{tmp_path / 'u.db'}", "--data-dir", str(tmp_path)]

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args) + db)
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("users", "add", "ada", "--role", "admin", stdin="a-long-password\n")
    assert code == 0 and "a-long-password" not in out
    code, out, _ = run("users", "add", "bea", "--role", "viewer")
    generated = out.strip().splitlines()[-1]
    assert code == 0 and len(generated) >= 12
    code, _, err = run("users", "add", "bea", "--role", "viewer", stdin="another-password")
    assert code == 2 and "exists already" in err
    code, _, err = run("users", "add", "cy", "--role", "boss", stdin="another-password")
    assert code == 2 and "role must be one of viewer, analyst, admin" in err
    code, _, err = run("users", "add", "cy", "--role", "viewer", stdin="short")
    assert code == 2 and "at least 8 characters" in err
    code, out, _ = run("users", "token", "ada")
    token = out.strip().splitlines()[-1]
    assert code == 0 and re.fullmatch(r"gvk_[A-Za-z0-9_-]{40,}", token)
    code, out, _ = run("users", "list")
    assert out.splitlines() == ["name,role,state,tokens", "ada,admin,active,1",
                                "bea,viewer,active,0"]  # fmt: skip
    assert run("users", "disable", "bea")[0] == 0
    assert "bea,viewer,disabled,0" in run("users", "list")[1]
    # the one output style of every command: a table on a terminal (or -f table), json, -o
    code, out, _ = run("users", "list", "-f", "table")
    assert code == 0 and "┃" in out and "disabled" in out and "," not in out
    code, out, _ = run("users", "list", "-f", "json")
    assert code == 0 and [u["name"] for u in json.loads(out)] == ["ada", "bea"]
    assert run("users", "token", "nobody")[0] == 2


def test_bundled_example_through_the_page(server: Server) -> None:
    client, csrf = _session(server)
    with closing(client):
        ws = client.post("/api/workspaces", json={"name": "example"},
                         headers={"X-CSRF-Token": csrf}).json()["id"]  # fmt: skip
        r = client.post(f"/workspaces/{ws}/examples", data={"example": "wiod2011",
                                                            "csrf_token": csrf})  # fmt: skip
        assert r.status_code == 303 and r.headers["location"].startswith("/tables/")
        page = client.get(r.headers["location"]).text
        assert "Countries (41)" in page and "Sectors (35)" in page
        bad = client.post(f"/workspaces/{ws}/examples", data={"example": "../x",
                                                              "csrf_token": csrf})  # fmt: skip
        assert bad.status_code == 422 and "no bundled example" in bad.text
