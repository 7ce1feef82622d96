"""Write the corpus of hostile documents (``python tests/bad_inputs/make_documents.py [DIR]``;
default ``tests/bad_inputs/documents/``, not committed): YAML, JSON and workbook files given to
the document commands (``chain check``, ``chain accounts``, ``constraints rank``,
``intervention check``, ``results``, ``audit``). :func:`write_corpus` returns the
:class:`DocCase` list: the file and what its one-line error must say after the file's path.
Each must end in exit code 2 with one line on stderr, no traceback and no output file, within
512 MiB and 5 s (``tests/test_bad_inputs_documents.py``).

Kinds of case (the good documents they start from are ``tests/data/chain_small.yaml`` and
``tests/data/intervention_good.yaml``, and the chain workbook written from them):

- *alias bombs*: nine levels of nine aliases (9^9 nodes), three levels of 24 over a list of
  1,000, 24 levels of three, one wide list aliased 1,000 times, the same with merge keys
  (``<<``), a recursive alias; refused by the node count after expansion (``max_nodes``);
- *nesting*: 50,000 levels of YAML flow lists, block lists and flow mappings; 200,000 levels
  of JSON lists and objects (``max_depth``);
- *size*: a 30 MB YAML and JSON string (``max_bytes``), a 2 MB one (``max_scalar``), 300,000
  list items (``max_nodes``), an integer of 5,000 digits, a date 2024-13-45; 8 MB of escaped
  quotes and of quotes in JSON (a scan that went back over the text would take hours);
- *bytes*: binary data with and without NUL bytes, UTF-16 with and without BOM, Latin-1, an
  empty file, only blanks, only a comment;
- *shape*: a list, a plain text where a mapping is expected; several YAML documents in one
  file, an undefined alias, invalid syntax, control characters; a key written twice in one
  mapping (YAML block and flow, JSON), which the loaders would otherwise settle silently by
  keeping the last;
- *tags*: ``!!python/object/apply`` (whose payload would create ``MARKER`` if it ever ran),
  ``!!python/object/new``, ``!!python/name``, a local ``!include`` tag, ``!!binary`` and
  ``!!set``, a ``!!python/object/apply`` inside an otherwise valid chain;
- *workbooks*: a part announcing 2 GB (headers), a real 30 MiB part compressed a thousandfold,
  100,000 sheets listed, 2,000 parts, a cell at ``XFD1048576`` (1 M rows), 30,000 rows, a
  value beyond the column limit, rows spanning 16,384 empty cells, a shared string table of a
  million strings, 300,000 styles, every sheet on one part, a billion-laughs shared string
  table, numbers of 1e400 (a year and a budget: infinite once read), a formula whose value
  would only exist if it were evaluated, a file that is not a zip and one cut short.

The big cases (a few MB to 30 MB on disk) are generated where the corpus is written: tests write
it into a temporary folder.
"""

from __future__ import annotations

import io
import random
import re
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
CHAIN = DATA / "chain_small.yaml"
INTERVENTION = DATA / "intervention_good.yaml"
MiB = 1024**2

#: Message parts by kind of refusal (each a needle looked for after the file's path).
NODES = ("once aliases are expanded", "max_nodes")
DEPTH = ("nested deeper than", "max_depth")
BYTES = ("larger than", "max_bytes")
SCALAR = ("characters in one value", "max_scalar")
BINARY = ("binary data or UTF-16 text",)
NOT_UTF8 = ("not UTF-8 text",)
EMPTY = ("the file is empty",)
NOT_MAPPING = ("not a mapping",)
TAG = ("is not allowed", "tags that build objects are refused")
DUPLICATE = ("appears twice in one mapping", "each key once")


@dataclass(frozen=True)
class DocCase:
    """One hostile file: the error line must start with ``error: <path>`` and contain each of
    ``expect`` after the path (for a workbook given to a command that reads YAML or JSON only,
    the binary-data refusal instead)."""

    name: str
    path: Path

    @property
    def workbook(self) -> bool:
        return self.path.suffix == ".xlsx"


@dataclass(frozen=True)
class _Spec:
    name: str
    file: str
    make: Callable[[Path], bytes]
    expect: tuple[str, ...]


# ----------------------------------------------------------------------------- YAML and JSON


def _levels(levels: int, width: int, leaf: int = 1) -> bytes:
    """``levels`` anchored lists, each holding ``width`` aliases of the one before."""
    lines = [f"a0: &a0 [{', '.join(['x'] * leaf)}]"]
    for k in range(1, levels + 1):
        lines.append(f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * width)}]")
    return ("\n".join(lines) + "\n").encode()


def _merge_bomb() -> bytes:
    lines = ["m0: &m0 {" + ", ".join(f"k{j}: x" for j in range(9)) + "}"]
    for k in range(1, 10):
        keys = ", ".join(f"k{j}: *m{k - 1}" for j in range(9))
        lines.append(f"m{k}: &m{k} {{<<: *m{k - 1}, {keys}}}")
    return ("\n".join(lines) + "\n").encode()


def _chain_text() -> str:
    return CHAIN.read_text(encoding="utf-8")


def _marker_payload(folder: Path) -> bytes:
    marker = folder / "MARKER"
    return (f"name: !!python/object/apply:os.system\n  - 'touch {marker}'\n").encode()


def _tag_inside_chain(folder: Path) -> bytes:
    text = _chain_text().replace(
        "currency: USD\n", f"currency: !!python/object/apply:os.system ['touch {folder}/MARKER']\n"
    )
    return text.encode()


def _garbage(nul: bool) -> bytes:
    rng = random.Random(14)
    low = 0 if nul else 0x80
    return bytes(rng.randrange(low, 256) for _ in range(64 * 1024))


_DOCS: list[_Spec] = [
    _Spec("alias_9x9", "chain.yaml", lambda _: _levels(9, 9, 9), NODES),
    _Spec("alias_3x24", "chain.yaml", lambda _: _levels(3, 24, 1000), NODES),
    _Spec("alias_24x3", "chain.yaml", lambda _: _levels(24, 3, 3), NODES),
    _Spec("alias_wide", "chain.yaml", lambda _: (
        f"a: &a [{', '.join(['x'] * 1000)}]\nb: [{', '.join(['*a'] * 1000)}]\n").encode(), NODES),
    _Spec("alias_merge", "chain.yaml", lambda _: _merge_bomb(), NODES),
    _Spec("alias_recursive", "chain.yaml", lambda _: b"name: &a [x, *a]\n",
          ("refers to a node that contains it",)),
    _Spec("deep_yaml_flow", "chain.yaml", lambda _: b"[" * 50_000 + b"]" * 50_000, DEPTH),
    _Spec("deep_yaml_block", "chain.yaml", lambda _: b"- " * 50_000 + b"x\n", DEPTH),
    _Spec("deep_yaml_mapping", "chain.yaml", lambda _: b"{a: " * 50_000 + b"x" + b"}" * 50_000,
          DEPTH),
    _Spec("deep_json_lists", "chain.json", lambda _: b"[" * 200_000 + b"]" * 200_000, DEPTH),
    _Spec("deep_json_objects", "chain.json",
          lambda _: b'{"a": ' * 200_000 + b"1" + b"}" * 200_000, DEPTH),
    _Spec("huge_string_yaml", "chain.yaml", lambda _: b"name: " + b"x" * (30 * MiB) + b"\n",
          BYTES),
    _Spec("huge_string_json", "chain.json",
          lambda _: b'{"name": "' + b"x" * (30 * MiB) + b'"}', BYTES),
    _Spec("long_string_yaml", "chain.yaml", lambda _: b"name: '" + b"x" * (2 * MiB) + b"'\n",
          SCALAR),
    _Spec("long_string_json", "chain.json",
          lambda _: b'{"name": "' + b"x" * (2 * MiB) + b'"}', SCALAR),
    _Spec("escaped_quotes_json", "chain.json", lambda _: b'"' + b'\\"' * 4_000_000, SCALAR),
    _Spec("quotes_json", "chain.json", lambda _: b'"' * 8_000_000, NODES),
    _Spec("many_items_yaml", "chain.yaml",
          lambda _: b"name: [" + b", ".join([b"1"] * 300_000) + b"]\n", NODES),
    _Spec("many_items_json", "chain.json",
          lambda _: b'{"name": [' + b",".join([b"1"] * 300_000) + b"]}", NODES),
    _Spec("huge_integer", "chain.yaml", lambda _: b"name: " + b"7" * 5000 + b"\n",
          ("cannot read the value",)),
    _Spec("huge_integer_json", "chain.json", lambda _: b'{"name": ' + b"7" * 5000 + b"}",
          ("invalid JSON",)),
    _Spec("bad_date", "chain.yaml", lambda _: b"name: 2024-13-45\n",
          ("cannot read the value", "month must be in 1..12")),
    _Spec("binary_nul", "chain.yaml", lambda _: _garbage(nul=True), BINARY),
    _Spec("binary_high", "chain.yaml", lambda _: _garbage(nul=False), NOT_UTF8),
    _Spec("binary_json", "chain.json", lambda _: _garbage(nul=True), BINARY),
    _Spec("utf16_no_bom", "chain.yaml", lambda _: _chain_text().encode("utf-16-le"), BINARY),
    _Spec("utf16_bom", "chain.yaml", lambda _: _chain_text().encode("utf-16"),
          ("UTF-16 or UTF-32 text", "expected UTF-8 text")),
    _Spec("utf16_json", "chain.json", lambda _: b'{"name": "x"}'.decode().encode("utf-16-be"),
          BINARY),
    _Spec("latin1", "chain.yaml",
          lambda _: _chain_text().replace("Testland", "Caf\u00e9land").encode("latin-1"),
          (*NOT_UTF8, "row 4")),
    _Spec("empty", "chain.yaml", lambda _: b"", EMPTY),
    _Spec("blank", "chain.yaml", lambda _: b"  \n\n\t\n", EMPTY),
    _Spec("empty_json", "chain.json", lambda _: b"", EMPTY),
    _Spec("comment_only", "chain.yaml", lambda _: b"# nothing here\n", NOT_MAPPING),
    _Spec("list", "chain.yaml", lambda _: b"- name: a\n- name: b\n", NOT_MAPPING),
    _Spec("list_json", "chain.json", lambda _: b'[{"name": "a"}]', NOT_MAPPING),
    _Spec("plain_text", "chain.yaml", lambda _: b"just some words\n", NOT_MAPPING),
    _Spec("two_documents", "chain.yaml", lambda _: b"name: a\n---\nname: b\n",
          ("invalid YAML", "row 2")),
    _Spec("undefined_alias", "chain.yaml", lambda _: b"name: *nowhere\n",
          ("undefined alias",)),
    _Spec("invalid_yaml", "chain.yaml", lambda _: b"name: [unclosed\nproduct: x\n",
          ("invalid YAML",)),
    _Spec("invalid_json", "chain.json", lambda _: b'{"name": "x",}', ("invalid JSON", "row 1")),
    _Spec("control_chars", "chain.yaml", lambda _: b"name: a\x07b\n", ("invalid YAML",)),
    _Spec("duplicate_key", "chain.yaml",
          lambda _: _chain_text().replace("currency: USD\n", "currency: USD\ncurrency: EUR\n")
          .encode(), (*DUPLICATE, "row 6", "'currency'", "first on line 5")),
    _Spec("duplicate_key_flow", "chain.yaml",
          lambda _: b"name: x\nsnapshots: [{year: 2020, stages: [], year: 2021}]\n",
          (*DUPLICATE, "field snapshots[0]", "'year'")),
    _Spec("duplicate_key_json", "chain.json", lambda _: b'{"name": "a", "name": "b"}',
          (*DUPLICATE, "'name'")),
    _Spec("python_object_apply", "chain.yaml", _marker_payload, (*TAG, "python/object/apply")),
    _Spec("python_object_new", "chain.yaml",
          lambda _: b"name: !!python/object/new:builtins.dict [[]]\n", TAG),
    _Spec("python_name", "chain.yaml", lambda _: b"name: !!python/name:os.system\n", TAG),
    _Spec("local_tag", "chain.yaml", lambda _: b"name: !include /etc/passwd\n", TAG),
    _Spec("binary_tag", "chain.yaml", lambda _: b"name: !!binary aGVsbG8=\n", TAG),
    _Spec("set_tag", "chain.yaml", lambda _: b"name: !!set {a, b}\n", TAG),
    _Spec("tag_inside_chain", "chain.yaml", _tag_inside_chain, (*TAG, "row 5")),
]  # fmt: skip


# ---------------------------------------------------------------------------------- workbooks

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _base_workbook() -> bytes:
    """The good chain workbook with the intervention sheet, from the good YAML files."""
    import tempfile

    from gvckit.chain import read_chain
    from gvckit.chain.workbook import write_template
    from gvckit.interventions.typology import read_intervention
    from gvckit.interventions.workbook import add_intervention_sheet

    chain, iv = read_chain(CHAIN), read_intervention(INTERVENTION)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "chain.xlsx"
        write_template(target, chain, extra=[lambda wb: add_intervention_sheet(wb, iv)])
        return target.read_bytes()


def _parts(book: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _rezip(parts: dict[str, bytes], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


#: The index of the ``intervention`` sheet's part (before ``intervention_sources``, the last).
_INTERVENTION = -2


def _sheet_parts(parts: dict[str, bytes]) -> list[str]:
    """The worksheet parts in order (sheet1.xml is ``chain``; ``intervention`` at
    ``_INTERVENTION``)."""
    found = [n for n in parts if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]
    return sorted(found, key=lambda n: int(n.removeprefix("xl/worksheets/sheet")[:-4]))


def _with_sheets(book: bytes, xml: bytes | Callable[[], bytes], level: int = 6) -> bytes:
    """The workbook with its ``chain`` and ``intervention`` sheets replaced by ``xml``."""
    parts = _parts(book)
    sheets = _sheet_parts(parts)
    for name in (sheets[0], sheets[_INTERVENTION]):
        parts[name] = xml() if callable(xml) else xml
    return _rezip(parts, level)


def _sheet(rows: str, dimension: str = "A1") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def _announce(book: bytes, member: str, size: int = 2_000_000_000) -> bytes:
    """The zip with ``member``'s uncompressed size set to ``size`` in both of its headers."""
    out = bytearray(book)
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        at = zf.getinfo(member).header_offset
    struct.pack_into("<I", out, at + 22, size)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        name_len, extra_len, comment_len = struct.unpack("<HHH", out[pos + 28 : pos + 34])
        if out[pos + 46 : pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, pos + 24, size)
            return bytes(out)
        pos = out.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    raise KeyError(member)


def _many_sheets(book: bytes) -> bytes:
    parts = _parts(book)
    xml = parts["xl/workbook.xml"].decode()
    head, _, rest = xml.partition("<sheets>")
    _, _, tail = rest.partition("</sheets>")
    sheets = "".join(f'<sheet name="s{k}" sheetId="{k + 1}" r:id="rId1"/>' for k in range(100_000))
    parts["xl/workbook.xml"] = f"{head}<sheets>{sheets}</sheets>{tail}".encode()
    return _rezip(parts)


def _many_parts(book: bytes) -> bytes:
    parts = _parts(book)
    parts.update({f"xl/media/extra{k}.bin": b"x" for k in range(2000)})
    return _rezip(parts)


def _billion_laughs(book: bytes) -> bytes:
    parts = _parts(book)
    entities = "".join(
        f' <!ENTITY lol{k} "{("&lol" + (str(k - 1) if k > 1 else "") + ";") * 10}">\n'
        for k in range(1, 10)
    )
    bomb = (
        f'<?xml version="1.0"?>\n<!DOCTYPE sst [\n <!ENTITY lol "lol">\n{entities}]>\n'
        f'<sst {_NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    parts["xl/sharedStrings.xml"] = bomb
    sheet = _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    for name in (_sheet_parts(parts)[0], _sheet_parts(parts)[_INTERVENTION]):
        parts[name] = sheet
    return _rezip(parts)


def _shared_strings(book: bytes, count: int) -> bytes:
    """The workbook with a shared string table of ``count`` strings (declared, so that
    openpyxl reads it when it opens the workbook)."""
    parts = _parts(book)
    strings = "".join(f"<si><t>s{k}</t></si>" for k in range(count))
    parts["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0"?>\n<sst {_NS} count="{count}" uniqueCount="{count}">{strings}</sst>'
    ).encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    ).encode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    ).encode()
    return _rezip(parts, 9)


def _one_part_for_all(book: bytes) -> bytes:
    """Every sheet pointing at the first sheet's part, which declares no dimension (openpyxl
    then reads it whole once per sheet when it opens the workbook)."""
    parts = _parts(book)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    first = True

    def one(match: re.Match[str]) -> str:  # the first written absolute, the others relative
        nonlocal first
        written = "/xl/worksheets/sheet1.xml" if first else "worksheets/./sheet1.xml"
        first = False
        return f'Target="{written}"'

    parts["xl/_rels/workbook.xml.rels"] = re.sub(
        r'Target="[^"]*worksheets/sheet\d+\.xml"', one, rels
    ).encode()
    rows = "".join(f'<row r="{k}"><c r="A{k}"><v>{k}</v></c></row>' for k in range(1, 5000))
    parts[_sheet_parts(parts)[0]] = (
        f'<?xml version="1.0"?>\n<worksheet {_NS}><sheetData>{rows}</sheetData></worksheet>'
    ).encode()
    return _rezip(parts)


def _styles(book: bytes, count: int) -> bytes:
    parts = _parts(book)
    xfs = "".join(
        f'<xf numFmtId="{k % 997}" fontId="{k % 13}" fillId="{k % 7}" borderId="{k % 5}"'
        f' xfId="{k % 11}" applyFont="{k % 2}"/>'
        for k in range(count)
    )
    parts["xl/styles.xml"] = (
        f'<?xml version="1.0"?>\n<styleSheet {_NS}><cellXfs count="{count}">{xfs}</cellXfs>'
        "</styleSheet>"
    ).encode()
    return _rezip(parts, 9)


def _infinite(book: bytes) -> bytes:
    """The first year of the ``stages`` sheet and the intervention's budget written as 1e400
    (infinity once read)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book))
    for row in wb["intervention"].iter_rows(min_row=2):
        if row[0].value == "budget.amount":
            row[1].value = 12345
        elif row[0].value == "budget.currency":
            row[1].value = "USD"
    buf = io.BytesIO()
    wb.save(buf)
    parts = _parts(buf.getvalue())
    sheets = _sheet_parts(parts)
    for name, value in ((sheets[2], b"<v>2020</v>"), (sheets[_INTERVENTION], b"<v>12345</v>")):
        assert value in parts[name], name
        parts[name] = parts[name].replace(value, b"<v>1e400</v>", 1)
    return _rezip(parts)


def _formula(book: bytes) -> bytes:
    """``name`` and the intervention's ``id`` as formulas without cached values."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book))
    for sheet, field in (("chain", "name"), ("intervention", "id")):
        for row in wb[sheet].iter_rows(min_row=2):
            if row[0].value == field:
                row[1].value = '=WEBSERVICE("http://127.0.0.1:9/")&"x"'
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS_LIMIT = ("more than 20,000 rows", "max_rows")


def _workbooks(book: bytes) -> list[_Spec]:
    def rows(n: int) -> str:
        return "".join(f'<row r="{k}"><c r="A{k}"><v>{k}</v></c></row>' for k in range(1, n + 1))

    return [
        _Spec("zip_bomb_headers", "chain.xlsx",
              lambda _: _announce(book, _sheet_parts(_parts(book))[0]),
              ("'xl/worksheets/sheet1.xml' inflates to 2,000,000,000 bytes", "max_inflated")),
        _Spec("zip_bomb_ratio", "chain.xlsx",
              lambda _: _with_sheets(book, lambda: _sheet("", "A1") + b" " * (30 * MiB), 9),
              ("-fold", "max_ratio")),
        _Spec("many_sheets", "chain.xlsx", lambda _: _many_sheets(book),
              ("100,000 sheets", "max_sheets")),
        _Spec("many_parts", "chain.xlsx", lambda _: _many_parts(book),
              ("parts", "max_members")),
        _Spec("huge_dimension", "chain.xlsx", lambda _: _with_sheets(book, _sheet(
            '<row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "A1:XFD1048576")),
            ROWS_LIMIT),
        _Spec("many_rows", "chain.xlsx", lambda _: _with_sheets(book, _sheet(rows(30_000))),
              ROWS_LIMIT),
        _Spec("far_column", "chain.xlsx", lambda _: _with_sheets(book, _sheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>field</t></is></c>'
            '<c r="XFD1"><v>1</v></c></row>')),
            ("a value beyond column ALL", "column 'XFD'", "max_columns")),
        _Spec("wide_empty_rows", "chain.xlsx", lambda _: _with_sheets(book, _sheet("".join(
            f'<row r="{k}"><c r="XFD{k}" s="0"/></row>' for k in range(1, 500)))),
            ("cells read", "max_cells")),
        _Spec("shared_strings_bomb", "chain.xlsx", lambda _: _shared_strings(book, 1_000_000),
              ("'xl/sharedStrings.xml'", "max_elements")),
        _Spec("styles_bomb", "chain.xlsx", lambda _: _styles(book, 300_000),
              ("'xl/styles.xml'", "max_elements")),
        _Spec("one_part_for_all_sheets", "chain.xlsx", lambda _: _one_part_for_all(book),
              ("are one part", "'xl/worksheets/sheet1.xml'", "a part of its own")),
        _Spec("infinite_numbers", "chain.xlsx", lambda _: _infinite(book),
              ("column", "inf")),
        _Spec("billion_laughs", "chain.xlsx", lambda _: _billion_laughs(book),
              ("cannot read the",)),
        _Spec("formula_not_evaluated", "chain.xlsx", lambda _: _formula(book),
              ("field",)),
        _Spec("not_a_zip", "chain.xlsx", lambda _: b"name: not a workbook\n",
              ("cannot read the workbook",)),
        _Spec("truncated", "chain.xlsx", lambda _: book[: len(book) * 2 // 3],
              ("cannot read the workbook",)),
    ]  # fmt: skip


#: Expected parts of each case's message, by case name (filled by :func:`write_corpus`).
EXPECT: dict[str, tuple[str, ...]] = {}


def write_corpus(folder: Path, write: bool = True) -> list[DocCase]:
    """Write every case into ``folder/<case>/<file>`` (only list them when ``write`` is False);
    a case's ``MARKER`` file appears only if an object-building tag ever ran."""
    book = _base_workbook() if write else b""
    specs = _DOCS + _workbooks(book)
    cases = []
    for spec in specs:
        path = folder / spec.name / spec.file
        if write:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(spec.make(path.parent))
        EXPECT[spec.name] = spec.expect
        cases.append(DocCase(spec.name, path))
    return cases


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "documents"
    for case in write_corpus(target):
        print(f"{case.path}  ({case.path.stat().st_size:,} bytes)")
