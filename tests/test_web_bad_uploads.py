"""The hostile-document corpus (``bad_inputs/make_documents.py``: alias bombs, deep nesting,
huge strings, bad encodings, object-building tags, workbook zip bombs ...) uploaded to every
workbench route that imports a document — chains, constraint sets, interventions and results
chains — of a real ``gvckit serve`` with its default limits: each upload is refused with 413 or
422 and one line naming the uploaded file, never a server error or a stack trace; nothing is
stored, no tag ever runs, and the server keeps answering."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from webserver import Server, server_on

HERE = Path(__file__).parent / "bad_inputs"
sys.path.insert(0, str(HERE))
from make_documents import DocCase, write_corpus  # noqa: E402

#: The import routes of a workspace (``/api/workspaces/{ws}/<kind>``) and the table each stores in.
KINDS = {"chains": "web_chains", "constraints": "web_constraint_sets",
         "interventions": "web_interventions", "results": "web_results"}  # fmt: skip
CASES = [case.name for case in write_corpus(Path("corpus"), write=False)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DocCase]:
    folder = tmp_path_factory.mktemp("web_documents_corpus")
    return {case.name: case for case in write_corpus(folder)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from server_on("sqlite", tmp_path_factory.mktemp("bad-uploads"))


@pytest.fixture(scope="module")
def setup(server: Server) -> tuple[str, int]:
    token = server.add_user("ana", "analyst")
    with server.client(token) as c:
        ws = int(c.post("/api/workspaces", json={"name": "Hostile"}).json()["id"])
    return token, ws


def _rows(server: Server, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", CASES)
def test_every_corpus_file_is_refused_by_every_import_route(
    server: Server, setup: tuple[str, int], corpus: dict[str, DocCase], name: str
) -> None:
    token, ws = setup
    case = corpus[name]
    upload = f"{name}{case.path.suffix}"
    with server.client(token) as c:
        for kind, table in KINDS.items():
            url = f"/api/workspaces/{ws}/{kind}"
            r = c.post(url, files={"file": (upload, case.path.read_bytes())})
            assert r.status_code in (413, 422), (kind, r.status_code, r.text[:300])
            assert "Traceback" not in r.text and 'File "' not in r.text, (kind, r.text[:300])
            detail = r.json()["detail"]
            assert isinstance(detail, str) and "\n" not in detail, (kind, detail)
            if r.status_code == 422:
                assert upload in detail, (kind, detail)
            assert _rows(server, table) == 0, kind  # nothing stored
        assert c.get("/api/health").status_code == 200
    assert not (case.path.parent / "MARKER").exists()  # an object-building tag never ran
