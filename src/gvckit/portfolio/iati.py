"""Streaming, hardened reader of IATI activity files (IATI Standard 1.01–2.03).

Files may be plain or gzip-compressed XML, given as files, folders (searched recursively for
``*.xml`` and ``*.xml.gz``) or many paths. Each file is parsed with lxml ``iterparse``, one
``<iati-activity>`` at a time, and every element is cleared once read, so memory stays flat
whatever the file size.

Safety: entities are never resolved, no DTD is loaded, nothing is fetched from the network, and
lxml's limits on tree depth and text size stay on (``huge_tree=False``). A file whose prolog
declares a DOCTYPE or entities is refused before parsing (billion laughs, XXE). Decompressed
size is bounded (:class:`Limits`), so a gzip bomb stops at the limit. A bad file is reported with
its line and reason (:class:`FileProblem`) and the scan goes on; activities of the file read before
the fault are kept. An activity without identifier is reported and skipped.

Versions: 1.0x elements carry their text directly and use letter/word codes (transaction type
``C``/``D``/``E``/``IF``, roles ``Funding``/``Implementing``, date types ``start-planned``, budget
type ``Original``/``Revised``); they are mapped to the 2.0x codes so that one model serves both.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from gvckit.errors import InputError

__all__ = [
    "PROBLEM_KINDS",
    "SKIPPED_BUDGET",
    "SKIPPED_TRANSACTION",
    "Activity",
    "FileProblem",
    "Finance",
    "Limits",
    "find_files",
    "read_activities",
]

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DPORTAL_VERSION = "{http://d-portal.org/xmlns/iati-activities}version"

#: IATI 1.0x transaction type letters → 2.0x codes (TransactionType codelists 1.04 and 2.03).
V1_TRANSACTION = {"IF": "1", "C": "2", "D": "3", "E": "4", "IR": "5", "LR": "6", "R": "7",
                  "QP": "8", "QS": "9", "CG": "10"}  # fmt: skip
#: Transaction type code → finance kind kept by gvckit.
KINDS = {"1": "incoming_funds", "2": "commitment", "3": "disbursement", "4": "expenditure",
         "11": "incoming_commitment"}  # fmt: skip
_OTHER_TRANSACTIONS = frozenset({"5", "6", "7", "8", "9", "10", "12", "13"})
V1_ROLE = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
V1_DATE = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
V1_BUDGET = {"original": "1", "revised": "2"}
V1_SECTOR_VOCABULARY = {"dac": "1", "dac-3": "2", "cofog": "3", "iso": "", "ro": "99",
                        "rol": "98"}  # fmt: skip

#: Kinds of problem found in an activity; the first four leave a transaction or budget out.
UNKNOWN_TYPE = "unknown transaction type"
NO_VALUE = "transaction without value"
NOT_A_NUMBER = "transaction value not a number"
BUDGET_NOT_A_NUMBER = "budget value not a number"
MISSING_CURRENCY = "missing currency"
BAD_PERCENTAGE = "percentage not a number"
PROBLEM_KINDS = (UNKNOWN_TYPE, NO_VALUE, NOT_A_NUMBER, BUDGET_NOT_A_NUMBER, MISSING_CURRENCY,
                 BAD_PERCENTAGE)  # fmt: skip
SKIPPED_TRANSACTION = frozenset({UNKNOWN_TYPE, NO_VALUE, NOT_A_NUMBER})
SKIPPED_BUDGET = frozenset({BUDGET_NOT_A_NUMBER})


@dataclass(frozen=True)
class Limits:
    """Safety limits of a scan: decompressed bytes per file, bytes searched for a DOCTYPE."""

    max_file_bytes: int = 1024**3
    prolog_bytes: int = 64 * 1024


@dataclass
class Finance:
    """One transaction or budget period of an activity (``kind`` as in :data:`KINDS` or
    ``budget``); ``currency_flag`` is ``missing`` when neither the value nor the activity names
    a currency."""

    kind: str
    value: float
    currency: str
    value_date: str | None
    period_start: str | None = None
    period_end: str | None = None
    currency_flag: str = ""


@dataclass
class Activity:
    """The fields of one IATI activity that a portfolio review uses (codes as in IATI 2.0x)."""

    iati_identifier: str
    file: str
    line: int
    version: str | None
    reporting_org_ref: str = ""
    reporting_org_name: str = ""
    reporting_org_type: str = ""
    default_lang: str = ""
    default_currency: str = ""
    last_updated: str = ""
    hierarchy: str = ""
    titles: list[tuple[str, str]] = field(default_factory=list)
    descriptions: list[tuple[str, str, str]] = field(default_factory=list)
    status: str = ""
    dates: dict[str, str] = field(default_factory=dict)
    countries: list[tuple[str, float | None]] = field(default_factory=list)
    regions: list[tuple[str, str, float | None]] = field(default_factory=list)
    sectors: list[tuple[str, str, float | None]] = field(default_factory=list)
    sectors_from_transactions: bool = False
    aid_type: str = ""
    finance_type: str = ""
    flow_type: str = ""
    collaboration_type: str = ""
    policy_markers: list[tuple[str, str, str]] = field(default_factory=list)
    participating_orgs: list[tuple[str, str, str, str]] = field(default_factory=list)
    tags: list[tuple[str, str, str]] = field(default_factory=list)
    finances: list[Finance] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Finance and aid type codes declared on transactions (distinct, in order of appearance).
    transaction_finance_types: list[str] = field(default_factory=list)
    transaction_aid_types: list[str] = field(default_factory=list)
    problem_kinds: list[str] = field(default_factory=list)
    transactions_read: int = 0
    budgets_read: int = 0

    def problem(self, kind: str, message: str) -> None:
        """Record a problem: ``kind`` one of :data:`PROBLEM_KINDS`, ``message`` the detail."""
        self.problems.append(message)
        self.problem_kinds.append(kind)

    @property
    def title(self) -> str:
        """The title in English if given, else the first one."""
        return _preferred(self.titles)

    @property
    def text(self) -> str:
        """Title and descriptions in all languages, for classification."""
        parts = [t for _, t in self.titles] + [t for _, _, t in self.descriptions]
        return "\n".join(parts)


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be read to its end: where and why."""

    file: str
    line: int | None
    reason: str


def _preferred(texts: list[tuple[str, str]]) -> str:
    for lang, text in texts:
        if lang.lower().startswith("en"):
            return text
    return texts[0][1] if texts else ""


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Activity files under ``paths`` (files as given; folders searched for ``*.xml``,
    ``*.xml.gz``), sorted within each folder, as absolute paths (a file is named alike whatever
    the working folder); a missing path is an :class:`InputError`. Each file comes once, where
    first named: a file given twice, both alone and in its folder, or also through a symlink,
    is read once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(os.path.abspath(raw))
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(
                (".xml", ".xml.gz")))  # fmt: skip
        elif p.is_file():
            found = [p]
        else:
            raise InputError("no such file or folder", file=Path(raw))
        for f in found:
            real = f.resolve()
            if real not in seen:
                seen.add(real)
                out.append(f)
    return out


class _LimitExceededError(Exception):
    pass


class _Bounded(io.RawIOBase):
    """A read-only stream that fails once more than ``limit`` bytes were read."""

    def __init__(self, inner: IO[bytes], limit: int, raw: IO[bytes]) -> None:
        self.inner, self.limit, self.count, self.raw = inner, limit, 0, raw

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
            self.raw.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        self.count += len(data)
        if self.count > self.limit:
            raise _LimitExceededError(f"larger than {self.limit:,} bytes once decompressed")
        buffer[: len(data)] = data
        return len(data)


def _open(path: Path, limits: Limits) -> io.BufferedReader:
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    inner: Any = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
    return io.BufferedReader(_Bounded(inner, limits.max_file_bytes, raw), buffer_size=1 << 16)


def _check_prolog(stream: io.BufferedReader, limits: Limits) -> str | None:
    """The reason to refuse the file from its first bytes, or None."""
    head = stream.peek(limits.prolog_bytes)[: limits.prolog_bytes]
    if not head.strip():
        return "the file is empty"
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return _DTD_REFUSED
    return None


_DTD_REFUSED = "declares a DOCTYPE or entities: refused, entities are never expanded"


def _declares_dtd(elem: Any) -> bool:
    """Whether the document of ``elem`` has a DOCTYPE: the parser's answer, whatever the file's
    encoding (a UTF-16 prolog does not contain the bytes ``<!DOCTYPE``)."""
    info = elem.getroottree().docinfo
    return bool(info.doctype) or info.internalDTD is not None


def read_activities(
    files: Iterable[Path], limits: Limits | None = None, problems: list[FileProblem] | None = None
) -> Iterator[Activity]:
    """Yield the activities of ``files`` one by one; bad files go to ``problems``."""
    limits = limits or Limits()
    sink = problems if problems is not None else []
    for path in files:
        yield from _read_file(path, limits, sink)


def _read_file(path: Path, limits: Limits, problems: list[FileProblem]) -> Iterator[Activity]:
    name = str(path)
    try:
        stream = _open(path, limits)
    except OSError as exc:
        problems.append(FileProblem(name, None, f"cannot open: {exc.strerror or exc}"))
        return
    line: int | None = None
    try:
        with stream:
            refused = _check_prolog(stream, limits)
            if refused:
                problems.append(FileProblem(name, 1, refused))
                return
            parser = etree.iterparse(
                stream, events=("end",), tag="iati-activity", resolve_entities=False,
                load_dtd=False, no_network=True, huge_tree=False, remove_comments=True,
                remove_pis=True,
            )  # fmt: skip
            root_version: str | None = None
            seen = 0
            for _, elem in parser:
                line = elem.sourceline
                seen += 1
                if seen == 1 and _declares_dtd(elem):  # one the prolog's bytes did not show
                    problems.append(FileProblem(name, 1, _DTD_REFUSED))
                    return
                if root_version is None:
                    parent = elem.getparent()
                    root_version = parent.get("version") if parent is not None else None
                act = parse_activity(elem, name, root_version)
                elem.clear(keep_tail=False)
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
                if act is None:
                    problems.append(FileProblem(name, line, "activity without iati-identifier"))
                    continue
                yield act
            if seen == 0:
                problems.append(FileProblem(name, None, "no iati-activity element"))
    except etree.XMLSyntaxError as exc:
        problems.append(FileProblem(name, exc.lineno or line, f"not well-formed XML: {exc.msg}"))
    except _LimitExceededError as exc:
        problems.append(FileProblem(name, line, f"refused: {exc}"))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        problems.append(FileProblem(name, line, f"cannot read: {exc}"))


# -- one activity ---------------------------------------------------------------------------


_CARRIAGE_RETURN = re.compile(r"\r\n?")


def _lines(text: str) -> str:
    return _CARRIAGE_RETURN.sub("\n", text) if "\r" in text else text


def _narratives(el: Any, default_lang: str) -> list[tuple[str, str]]:
    """(lang, text) of an element: its ``narrative`` children (2.0x) or its own text (1.0x).
    Line ends are line feeds: a carriage return written ``&#xD;`` (Windows exports) becomes one,
    as XML does with a literal one, so that no bare carriage return breaks a CSV row."""
    out = []
    kids = el.findall("narrative")
    if kids:
        for n in kids:
            text = _lines(n.text or "").strip()
            if text:
                out.append((n.get(XML_LANG) or default_lang, text))
    else:
        text = _lines("".join(el.itertext())).strip()
        if text:
            out.append((el.get(XML_LANG) or default_lang, text))
    return out


def _pct(text: str | None, act: Activity, what: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        act.problem(BAD_PERCENTAGE, f"{what}: percentage {text!r} is not a number")
        return None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    cleaned = text.strip().replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def parse_activity(el: Any, file: str, root_version: str | None) -> Activity | None:
    """The :class:`Activity` of an ``<iati-activity>`` element (None without identifier)."""
    kids: dict[str, list[Any]] = {}  # children by tag, in one pass (not one per find)
    for child in el:
        if isinstance(child.tag, str):
            kids.setdefault(child.tag, []).append(child)

    def first(tag: str) -> Any:
        found = kids.get(tag)
        return found[0] if found else None

    node = first("iati-identifier")
    ident = ((node.text if node is not None else "") or "").strip()
    if not ident:
        return None
    version = el.get(_DPORTAL_VERSION) or root_version
    lang = (el.get(XML_LANG) or "").lower()
    act = Activity(ident, file, el.sourceline or 0, version, default_lang=lang,
                   default_currency=(el.get("default-currency") or "").strip().upper(),
                   last_updated=el.get("last-updated-datetime") or "",
                   hierarchy=el.get("hierarchy") or "")  # fmt: skip
    org = first("reporting-org")
    if org is not None:
        act.reporting_org_ref = (org.get("ref") or "").strip()
        act.reporting_org_type = (org.get("type") or "").strip()
        act.reporting_org_name = _preferred(_narratives(org, lang))
    for t in kids.get("title", []):
        act.titles.extend(_narratives(t, lang))
    for d in kids.get("description", []):
        dtype = d.get("type") or "1"
        act.descriptions.extend((dtype, lg, text) for lg, text in _narratives(d, lang))
    status = first("activity-status")
    if status is not None:
        act.status = (status.get("code") or "").strip()
    for d in kids.get("activity-date", []):
        dtype = (d.get("type") or "").strip()
        dtype = V1_DATE.get(dtype.lower(), dtype)
        day = (d.get("iso-date") or (d.text or "")).strip()[:10]
        if dtype and day:
            act.dates[dtype] = day
    for c in kids.get("recipient-country", []):
        code = (c.get("code") or "").strip().upper()
        if code:
            act.countries.append((code, _pct(c.get("percentage"), act, "recipient-country")))
    for r in kids.get("recipient-region", []):
        code = (r.get("code") or "").strip()
        if code:
            pct = _pct(r.get("percentage"), act, "recipient-region")
            act.regions.append((code, (r.get("vocabulary") or "1").strip(), pct))
    act.sectors = _sectors(kids.get("sector", []), act)
    for name, attr in (("default-aid-type", "aid_type"), ("default-finance-type", "finance_type"),
                       ("default-flow-type", "flow_type"),
                       ("collaboration-type", "collaboration_type")):  # fmt: skip
        node = first(name)
        if node is not None:
            setattr(act, attr, (node.get("code") or "").strip())
    for pm in kids.get("policy-marker", []):
        act.policy_markers.append(
            ((pm.get("code") or "").strip(), (pm.get("significance") or "").strip(),
             (pm.get("vocabulary") or "1").strip())
        )  # fmt: skip
    for po in kids.get("participating-org", []):
        role = (po.get("role") or "").strip()
        role = V1_ROLE.get(role.lower(), role)
        act.participating_orgs.append(
            ((po.get("ref") or "").strip(), role, (po.get("type") or "").strip(),
             _preferred(_narratives(po, lang)))
        )  # fmt: skip
    for tag in kids.get("tag", []):
        act.tags.append(((tag.get("code") or "").strip(), (tag.get("vocabulary") or "").strip(),
                         _preferred(_narratives(tag, lang))))  # fmt: skip
    _transactions(kids.get("transaction", []), act)
    _budgets(kids.get("budget", []), act)
    for name, codes in (("finance-type", act.transaction_finance_types),
                        ("aid-type", act.transaction_aid_types)):  # fmt: skip
        for tx in kids.get("transaction", []):
            for node in tx.iterfind(name):
                code = (node.get("code") or "").strip()
                if code and code not in codes:
                    codes.append(code)
    return act


def _sectors(nodes: list[Any], act: Activity) -> list[tuple[str, str, float | None]]:
    out = []
    for s in nodes:
        code = (s.get("code") or "").strip()
        if not code:
            continue
        vocab = (s.get("vocabulary") or "1").strip()
        vocab = V1_SECTOR_VOCABULARY.get(vocab.lower(), vocab)
        out.append((code, vocab, _pct(s.get("percentage"), act, "sector")))
    return out


def _currency(node: Any, act: Activity, what: str) -> tuple[str, str]:
    cur = (node.get("currency") or "").strip().upper() or act.default_currency
    if not cur:
        act.problem(MISSING_CURRENCY, f"{what}: no currency on the value nor a default-currency")
    return cur, "" if cur else "missing"


def _transactions(nodes: list[Any], act: Activity) -> None:
    tx_sectors: dict[tuple[str, str], None] = {}
    tx_countries: dict[str, None] = {}
    tx_regions: dict[tuple[str, str], None] = {}
    for tx in nodes:
        act.transactions_read += 1
        ttype = val = tdate = None
        sector_nodes = []
        for child in tx:  # one pass over the children (the first of each kind counts)
            tag = child.tag
            if tag == "transaction-type":
                ttype = child if ttype is None else ttype
            elif tag == "value":
                val = child if val is None else val
            elif tag == "transaction-date":
                tdate = child if tdate is None else tdate
            elif tag == "sector":
                sector_nodes.append(child)
            elif tag == "recipient-country":
                tx_countries[(child.get("code") or "").strip().upper()] = None
            elif tag == "recipient-region":
                region = (child.get("code") or "").strip()
                tx_regions[(region, (child.get("vocabulary") or "1").strip())] = None
        code = (ttype.get("code") or "").strip() if ttype is not None else ""
        code = V1_TRANSACTION.get(code.upper(), code)
        for sector, vocab, _ in _sectors(sector_nodes, act):
            tx_sectors[(sector, vocab)] = None
        kind = KINDS.get(code)
        if kind is None:
            if code not in _OTHER_TRANSACTIONS:
                act.problem(UNKNOWN_TYPE, f"unknown transaction type {code!r}: transaction skipped")
            continue
        if val is None:
            act.problem(NO_VALUE, f"transaction type {code}: no value")
            continue
        number = _number(val.text)
        if number is None:
            act.problem(
                NOT_A_NUMBER, f"transaction type {code}: value {val.text!r} is not a number"
            )
            continue
        day = (val.get("value-date") or "").strip()[:10]
        if not day:
            day = (tdate.get("iso-date") or tdate.text or "") if tdate is not None else ""
            day = day.strip()[:10]
        currency, flag = _currency(val, act, f"transaction type {code}")
        act.finances.append(Finance(kind, number, currency, day or None, currency_flag=flag))
    if not act.sectors and tx_sectors:  # declared per transaction: no percentages
        act.sectors = [(code, vocab, None) for code, vocab in tx_sectors]
        act.sectors_from_transactions = True
    if not act.countries and not act.regions:
        act.countries = [(c, None) for c in tx_countries if c]
        act.regions = [(c, v, None) for c, v in tx_regions if c]


def _budgets(nodes: list[Any], act: Activity) -> None:
    """Budget periods: a revised budget (type 2) replaces the original (type 1) of the same
    period; several budgets of one type and period are summed."""
    periods: dict[tuple[str, str], dict[str, list[Finance]]] = {}
    for b in nodes:
        act.budgets_read += 1
        btype = (b.get("type") or "1").strip()
        btype = V1_BUDGET.get(btype.lower(), btype)
        start = b.find("period-start")
        end = b.find("period-end")
        p_start = (start.get("iso-date") or start.text or "") if start is not None else ""
        p_end = (end.get("iso-date") or end.text or "") if end is not None else ""
        p_start, p_end = p_start.strip()[:10], p_end.strip()[:10]
        val = b.find("value")
        number = _number(val.text) if val is not None else None
        if val is None or number is None:
            shown = None if val is None else val.text
            act.problem(
                BUDGET_NOT_A_NUMBER, f"budget {p_start}–{p_end}: value {shown!r} is not a number"
            )
            continue
        currency, flag = _currency(val, act, f"budget {p_start}–{p_end}")
        day = (val.get("value-date") or "").strip()[:10] or p_start or None
        fin = Finance("budget", number, currency, day, p_start or None, p_end or None, flag)
        periods.setdefault((p_start, p_end), {}).setdefault(btype, []).append(fin)
    for by_type in periods.values():
        act.finances.extend(by_type.get("2") or by_type.get("1") or [])
