"""The bounded document and workbook readers: good documents read as before, each limit holds
exactly at its value, limits come from one settings module and its environment variables.

The node count is checked against a deliberately simple second reading: PyYAML's pure-Python
safe loader (sharing no code with the event scan) and a recursive walk that counts every key,
value and item of the built data, shared (aliased) parts once per use.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from gvckit.chain import read_chain
from gvckit.chain.workbook import read_workbook, write_template
from gvckit.cli import main
from gvckit.documents import load_document
from gvckit.errors import ChainError, InputError, OptionError
from gvckit.limits import (
    DOCUMENT,
    DocumentLimits,
    WorkbookLimits,
    document_limits,
    table_workbook_limits,
    workbook_limits,
)

ROOT = Path(__file__).resolve().parents[1]
GOOD = sorted(
    [
        *(ROOT / "examples" / "chains").glob("*.yaml"),
        *(ROOT / "examples" / "interventions").glob("*.yaml"),
        *(ROOT / "tests" / "data").glob("*.yaml"),
    ]
)
sys.path.insert(0, str(Path(__file__).parent / "bad_inputs"))


def _nodes(data: Any) -> int:
    """Keys, values and items of ``data`` (the root counts one), shared parts once per use."""
    if isinstance(data, dict):
        return 1 + sum(_nodes(k) + _nodes(v) for k, v in data.items())
    if isinstance(data, list):
        return 1 + sum(_nodes(v) for v in data)
    return 1


def _depth(data: Any) -> int:
    if isinstance(data, dict):
        return 1 + max((_depth(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return 1 + max((_depth(v) for v in data), default=0)
    return 0


def test_there_are_good_documents() -> None:
    assert len(GOOD) >= 15


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_documents_read_as_the_pure_safe_loader_reads_them(path: Path) -> None:
    doc = load_document(path)
    assert doc.data == yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert doc.lines[()] >= 1  # the line index is there
    assert doc == load_document(path.read_bytes(), name=path)  # bytes read as the path


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_documents_as_json_read_as_json_loads_reads_them(path: Path, tmp_path: Path) -> None:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    text = json.dumps(data, default=str, indent=1)
    target = tmp_path / f"{path.stem}.json"
    target.write_text(text, encoding="utf-8")
    assert load_document(target).data == json.loads(text)


def _at_limit(text: str, field: str, value: int, kind: str = "yaml") -> None:
    """``text`` is read with ``field`` at ``value`` and refused at ``value - 1``."""
    name = f"doc.{kind}"
    load_document(text.encode(), name=name, limits=DocumentLimits(**{field: value}))
    with pytest.raises(InputError, match=field):
        load_document(text.encode(), name=name, limits=DocumentLimits(**{field: value - 1}))


ALIASED = [
    "a: &x [1, 2, 3]\nb: *x\nc: *x\n",
    "a: &x {k: [1, 2], j: 3}\nb: &y [*x, *x, {m: *x}]\nc: [*y, *y]\n",
    "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  z: 3\nd: [*b]\n",
    "- &s hello\n- *s\n- [*s, *s]\n",
]


@pytest.mark.parametrize("text", ALIASED)
def test_nodes_are_counted_after_alias_expansion(text: str) -> None:
    expanded = _nodes(yaml.load(text, Loader=yaml.SafeLoader))
    if "<<" not in text:  # a merge key's mapping is counted as written, before the merge
        _at_limit(text, "max_nodes", expanded)
    else:
        load_document(text.encode(), limits=DocumentLimits(max_nodes=expanded + 2))


def test_the_default_node_limit_holds_a_bomb_of_any_shape() -> None:
    for levels, width in ((9, 9), (3, 60), (24, 3), (2, 400)):
        text = "a0: &a0 [x]\n" + "".join(
            f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]\n" for k in range(1, levels + 1)
        )
        expanded = sum(width**k for k in range(levels + 1))  # the last list, expanded
        assert expanded > DOCUMENT.max_nodes
        with pytest.raises(InputError, match="max_nodes"):
            load_document(text.encode(), limits=DOCUMENT)


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_depth_limit_is_exact(kind: str) -> None:
    text = '{"a": ' * 9 + "[[1]]" + "}" * 9  # 11 levels
    assert _depth(json.loads(text)) == 11
    _at_limit(text, "max_depth", 11, kind)


@pytest.mark.parametrize("kind", ["yaml", "json"])
def test_json_nodes_are_counted(kind: str) -> None:
    text = '{"a": [1, 2, 3], "b": {"c": "d"}, "e": [[], {}]}'
    _at_limit(text, "max_nodes", _nodes(json.loads(text)), kind)


def test_scalar_limit_is_exact() -> None:
    _at_limit("name: " + "x" * 500 + "\n", "max_scalar", 500)
    _at_limit('{"name": "' + "x" * 500 + '"}', "max_scalar", 500, "json")
    _at_limit('{"name": ' + "7" * 500 + "}", "max_scalar", 500, "json")


def test_byte_limit_is_checked_before_reading(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_bytes(b"".join(b"k%03d: x\n" % k for k in range(1000)))  # 8,000 bytes
    load_document(p, limits=DocumentLimits(max_bytes=8000))
    with pytest.raises(InputError, match=r"larger than 7,999 bytes \(8,000 bytes\)"):
        load_document(p, limits=DocumentLimits(max_bytes=7999))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    doc = load_document(b'{"a": "[[[[{{{{", "b": "\\"[["}', name="x.json",
                        limits=DocumentLimits(max_depth=1))  # fmt: skip
    assert doc.data == {"a": "[[[[{{{{", "b": '"[['}


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert document_limits() == DOCUMENT
    monkeypatch.setenv("GVCKIT_DOC_MAX_DEPTH", "3")
    monkeypatch.setenv("GVCKIT_BOOK_MAX_ROWS", "7")
    monkeypatch.setenv("GVCKIT_TABLE_BOOK_MAX_SHEETS", "9")
    assert document_limits().max_depth == 3
    assert workbook_limits().max_rows == 7
    assert table_workbook_limits().max_sheets == 9
    with pytest.raises(InputError, match="GVCKIT_DOC_MAX_DEPTH"):
        load_document(b"a: [[[1]]]\n")


@pytest.mark.parametrize("value", ["ten", "0", "-5", "1.5"])
def test_a_bad_environment_value_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("GVCKIT_DOC_MAX_NODES", value)
    assert main(["chain", "check", str(ROOT / "tests" / "data" / "chain_small.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "GVCKIT_DOC_MAX_NODES" in err, err


def test_limits_are_validated() -> None:
    with pytest.raises(OptionError, match="max_depth"):
        DocumentLimits(max_depth=0)
    with pytest.raises(OptionError, match="max_rows"):
        WorkbookLimits(max_rows=-1)


def test_the_command_line_reads_the_same_limits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    small = ROOT / "tests" / "data" / "chain_small.yaml"
    assert main(["chain", "check", str(small)]) == 0
    monkeypatch.setenv("GVCKIT_DOC_MAX_DEPTH", "2")
    capsys.readouterr()
    assert main(["chain", "check", str(small)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {small}, row ") and "GVCKIT_DOC_MAX_DEPTH" in err


# ---------------------------------------------------------------------------------- workbooks


@pytest.fixture
def book(tmp_path: Path) -> Path:
    target = tmp_path / "chain.xlsx"
    write_template(target, read_chain(ROOT / "tests" / "data" / "chain_small.yaml"))
    return target


def _rewrite(path: Path, change: Any) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, change(name, data))
    path.write_bytes(buf.getvalue())


def test_a_lying_dimension_does_not_change_what_is_read(book: Path) -> None:
    original = read_workbook(book)
    lie = b'<dimension ref="A1:XFD1048576"/>'

    def declare(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return data
        start = data.index(b"<dimension ")
        end = data.index(b"/>", start) + 2
        return data[:start] + lie + data[end:]

    _rewrite(book, declare)
    assert lie in zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml")
    assert read_workbook(book) == original


def test_workbooks_read_from_bytes_as_from_their_path(book: Path) -> None:
    from gvckit.interventions.workbook import read_intervention_sheet

    assert read_workbook(book.read_bytes(), name="upload.xlsx") == read_workbook(book)
    with pytest.raises(InputError, match=r"^upload\.xlsx: no sheet 'intervention'"):
        read_intervention_sheet(book.read_bytes(), name="upload.xlsx")
    with pytest.raises(ChainError, match=r"^upload\.xlsx: .*max_bytes"):
        read_workbook(book.read_bytes(), WorkbookLimits(max_bytes=100), name="upload.xlsx")


def test_workbook_limits_name_sheet_row_and_setting(book: Path) -> None:
    read_workbook(book, WorkbookLimits(max_rows=100))
    with pytest.raises(ChainError, match=r"\[chain\], row 4: .*max_rows, GVCKIT_BOOK_MAX_ROWS"):
        read_workbook(book, WorkbookLimits(max_rows=3))
    with pytest.raises(ChainError, match=r"\[chain\], row \d+: more than 10 cells read"):
        read_workbook(book, WorkbookLimits(max_cells=10))
    with pytest.raises(ChainError, match=r"\[chain\], row 1, column 'B': a value beyond"):
        read_workbook(book, WorkbookLimits(max_columns=1))
    with pytest.raises(ChainError, match=r"sheets.*max_sheets"):
        read_workbook(book, WorkbookLimits(max_sheets=3))
    with pytest.raises(ChainError, match=r"parts.*max_members"):
        read_workbook(book, WorkbookLimits(max_members=3))
    with pytest.raises(ChainError, match="larger than 1,000 bytes"):
        read_workbook(book, WorkbookLimits(max_bytes=1000))


def test_formulas_are_not_evaluated(book: Path) -> None:
    """A formula's cached value is read (here none: the cell is empty), never its result."""
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["chain"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "product")
    row[1].value = '=CONCAT("cof", "fee")'
    wb.save(book)
    with pytest.raises(ChainError, match=r"\[chain\], row \d+, column 'value', field product"):
        read_workbook(book)


def test_table_template_bomb_is_refused_by_its_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from make_documents import _announce

    from gvckit.icio.readers.template import write_template as write_table_template

    target = tmp_path / "mine.xlsx"
    write_table_template(target, ["AAA", "BBB"], ["agr", "man"])
    target.write_bytes(_announce(target.read_bytes(), "xl/worksheets/sheet3.xml"))
    assert main(["table", "info", str(target), "--format", "template"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {target}") and "2,000,000,000 bytes" in err, err
    assert err.count("\n") == 0


def test_without_libyaml_the_pure_loader_keeps_the_same_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A copy of the reader module loaded where PyYAML has no C loader."""
    import importlib.util

    import gvckit.documents

    monkeypatch.delattr(yaml, "CSafeLoader")
    spec = importlib.util.spec_from_file_location("documents_pure", gvckit.documents.__file__)
    assert spec is not None and spec.loader is not None
    pure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pure)
    assert pure._BaseLoader is yaml.SafeLoader
    good = ROOT / "tests" / "data" / "chain_small.yaml"
    assert pure.load_document(good) == load_document(good)
    bomb = "a0: &a0 [x]\n" + "".join(
        f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 10)
    )
    for text, needle in (
        (bomb, "max_nodes"),
        ("[" * 50_000 + "]" * 50_000, "max_depth"),
        ("- " * 50_000 + "x", "max_depth"),
        ("a: !!python/object/apply:os.getcwd []", "not allowed"),
        ("a: 2024-13-45", "month must be in 1..12"),
    ):
        with pytest.raises(InputError, match=needle):
            pure.load_document(text.encode(), limits=DOCUMENT)


@pytest.mark.parametrize(
    ("text", "kind", "needle"),
    [
        ("a: 1\nb: 2\na: 3\n", "yaml", "row 3: the key 'a' appears twice in one mapping (first"),
        ("x:\n  - {id: p, id: q}\n", "yaml", "row 2, field x[0]: the key 'id' appears twice"),
        ('{"a": 1, "b": {"c": 1, "c": 2}}', "json", "the key 'c' appears twice"),
    ],
)
def test_a_key_written_twice_is_refused(text: str, kind: str, needle: str) -> None:
    """The loaders keep the last of two equal keys, silently: a second ``actors:`` in a
    snapshot would drop the first list, a second ``currency:`` change the chain's money."""
    with pytest.raises(InputError) as err:
        load_document(text.encode(), name="doc", kind=kind)
    assert needle in str(err.value)


def test_merge_keys_may_still_be_overridden() -> None:
    """``<<`` merges a mapping whose keys the mapping itself may override: not a duplicate;
    ``1`` and ``'1'`` are different keys."""
    text = "base: &b {x: 1, y: 2}\nitem: {<<: *b, x: 3}\nkeys: {1: a, '1': b}\n"
    data = load_document(text.encode(), name="doc").data
    assert data["item"] == {"x": 3, "y": 2}
    assert data["keys"] == {1: "a", "1": "b"}
