"""The cluster firm survey: collective efficiency and technological capabilities, one record per
firm and survey round, read from YAML/JSON or from a table (the Excel template, CSV, Parquet).

Collective efficiency (Schmitz 1995; Nadvi 1999): the gains firms draw from being in a cluster,
the passive ones — external economies (a pool of skilled labour, specialised suppliers, knowledge
spill-overs) — and the active ones — joint action, bilateral (two firms) or multilateral (groups
of firms, associations), horizontal (among competitors) or vertical (with suppliers or buyers).
Each is scored by the firm on a 0–4 scale: 0 none / no benefit, 1 weak, 2 moderate, 3 strong,
4 very strong. ``institutions`` lists the support institutions the firm used (any names).

Technological capabilities (Lall 1992, Table 1): for each of the three functions — investment
(pre-investment and project execution), production (process, product and industrial engineering)
and linkages (with suppliers, buyers, technology institutions) — the highest level the firm
masters: ``none``, ``basic`` (simple, routine, experience-based), ``intermediate`` (adaptive,
duplicative, search-based) or ``advanced`` (innovative, risky, research-based). ``learning``
lists the firm's learning mechanisms, after Morrison, Pietrobelli & Rabellotti (2008): learning
by ``doing``, ``training``, ``hiring`` (skilled staff), ``searching`` (own R&D, design),
``imitating``, ``interacting_buyers``, ``interacting_suppliers``, ``cooperating`` (with other
firms of the cluster) and ``institutions`` (universities, technology centres).

YAML layout: ``cluster``, ``round`` (a year or survey wave) and ``firms`` (a list of records
with ``id``, optional ``stage``, ``joint_action``, ``external_economies``, ``institutions``,
``capabilities``, ``learning``). Table layout (:data:`TABLE_COLUMNS`, one row per firm): the
same fields flattened, lists comma-separated.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from gvckit.clusters.tables import read_sheet
from gvckit.documents import FieldPath, Frozen, Name, read_document, validate
from gvckit.errors import InputError, OptionError

__all__ = [
    "EXTERNAL_ECONOMIES",
    "FUNCTIONS",
    "JOINT_ACTIONS",
    "LEARNING",
    "TABLE_COLUMNS",
    "CapabilityLevel",
    "Firm",
    "Response",
    "Survey",
    "read_survey",
    "read_surveys",
    "write_template",
]

JOINT_ACTIONS = (
    "bilateral_horizontal", "bilateral_vertical", "multilateral_horizontal",
    "multilateral_vertical",
)  # fmt: skip
EXTERNAL_ECONOMIES = ("labour_pool", "suppliers", "knowledge_spillovers")
FUNCTIONS = ("investment", "production", "linkages")
LEARNING = (
    "doing", "training", "hiring", "searching", "imitating", "interacting_buyers",
    "interacting_suppliers", "cooperating", "institutions",
)  # fmt: skip
Score = Annotated[int, Field(ge=0, le=4)]


class CapabilityLevel(StrEnum):
    NONE = "none"
    BASIC = "basic"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"

    @property
    def rank(self) -> int:
        return list(CapabilityLevel).index(self)


Learning = Annotated[str, Field(pattern="^(" + "|".join(LEARNING) + ")$")]


class JointAction(Frozen):
    bilateral_horizontal: Score | None = None
    bilateral_vertical: Score | None = None
    multilateral_horizontal: Score | None = None
    multilateral_vertical: Score | None = None


class ExternalEconomies(Frozen):
    labour_pool: Score | None = None
    suppliers: Score | None = None
    knowledge_spillovers: Score | None = None


class Capabilities(Frozen):
    investment: CapabilityLevel | None = None
    production: CapabilityLevel | None = None
    linkages: CapabilityLevel | None = None


class Firm(Frozen):
    id: Name
    stage: str | None = None
    joint_action: JointAction = JointAction()
    external_economies: ExternalEconomies = ExternalEconomies()
    institutions: tuple[Name, ...] = ()
    capabilities: Capabilities = Capabilities()
    learning: tuple[Learning, ...] = ()


class Survey(Frozen):
    cluster: Name
    round: Annotated[int, Field(ge=0)]
    firms: Annotated[tuple[Firm, ...], Field(min_length=1)]


class Response(Frozen):
    """One firm's answers in one round of one cluster's survey."""

    cluster: str
    round: int
    firm: Firm


TABLE_COLUMNS = (
    "cluster", "round", "id", "stage",
    *(f"ja_{k}" for k in JOINT_ACTIONS), *(f"ee_{k}" for k in EXTERNAL_ECONOMIES),
    "institutions", *(f"cap_{k}" for k in FUNCTIONS), "learning",
)  # fmt: skip


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _from_table(path: Path, sheet: str | None) -> list[Response]:
    table = read_sheet(path, sheet)
    missing = [c for c in ("cluster", "round", "id") if c not in table.header]
    if missing:
        raise InputError(
            f"missing column {missing[0]!r}", file=path, row=1,
            expected="the columns of the survey template: " + ", ".join(TABLE_COLUMNS),
        )  # fmt: skip
    unknown = [c for c in table.header if c and c not in TABLE_COLUMNS]
    if unknown:
        raise InputError(f"unknown column {unknown[0]!r}", file=path, row=1,
                         expected=", ".join(TABLE_COLUMNS))  # fmt: skip
    cells = {c: list(table.column(c, c)) for c in table.header if c}
    out: list[Response] = []
    for k in range(len(table.body)):
        get = {c: v[k] for c, v in cells.items()}
        if not any(get.values()):
            continue
        record: dict[str, Any] = {"id": get["id"]}
        if get.get("stage"):
            record["stage"] = get["stage"]
        for prefix, field, names in (("ja_", "joint_action", JOINT_ACTIONS),
                                     ("ee_", "external_economies", EXTERNAL_ECONOMIES),
                                     ("cap_", "capabilities", FUNCTIONS)):  # fmt: skip
            sub = {n: get[prefix + n] for n in names if get.get(prefix + n)}
            if sub:
                record[field] = sub
        for field in ("institutions", "learning"):
            if get.get(field):
                record[field] = _split(get[field])
        data = {"cluster": get["cluster"], "round": get["round"], "firms": [record]}
        lines: dict[FieldPath, int] = {(): table.line(k)}
        survey = validate(Survey, data, file=path, lines=lines, expected="a survey row")
        out.append(Response(cluster=survey.cluster, round=survey.round, firm=survey.firms[0]))
    if not out:
        raise InputError("the survey has no firms", file=path, expected="one row per firm")
    return out


def read_survey(path: str | Path, sheet: str | None = None) -> list[Response]:
    """Read a survey: YAML/JSON (one cluster and round) or a table (any clusters and rounds).
    A firm answering twice in the same cluster and round is an error."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml", ".json"):
        if sheet is not None:
            raise OptionError("--sheet applies to Excel workbooks")
        data, lines = read_document(p, what="a cluster survey")
        survey: Survey = validate(
            Survey, data, file=p, lines=lines, expected="keys cluster, round and firms"
        )
        responses = [Response(cluster=survey.cluster, round=survey.round, firm=f)
                     for f in survey.firms]  # fmt: skip
    else:
        responses = _from_table(p, sheet)
    seen: set[tuple[str, int, str]] = set()
    for r in responses:
        key = (r.cluster, r.round, r.firm.id)
        if key in seen:
            raise InputError(
                f"firm {r.firm.id!r} answers twice in {r.cluster!r}, round {r.round}", file=p,
                expected="one record per firm and round",
            )  # fmt: skip
        seen.add(key)
    return responses


def read_surveys(paths: Sequence[str | Path], sheet: str | None = None) -> list[Response]:
    """The responses of several survey files (:func:`read_survey`); a firm answering in two
    files for the same cluster and round (the same file given twice, say) is an error, as
    within one file, rather than counted twice."""
    out: list[Response] = []
    where: dict[tuple[str, int, str], Path] = {}
    for path in paths:
        p = Path(path)
        for r in read_survey(p, sheet):
            key = (r.cluster, r.round, r.firm.id)
            if key in where:
                raise InputError(
                    f"firm {r.firm.id!r} answers in {r.cluster!r}, round {r.round}, here and"
                    f" in {where[key]}", file=p, expected="one record per firm and round",
                )  # fmt: skip
            where[key] = p
            out.append(r)
    return out


def write_template(path: str | Path) -> None:
    """Write the Excel survey template: a ``firms`` sheet with the columns of
    :data:`TABLE_COLUMNS` and an example row, and a ``guide`` sheet explaining each column."""
    from openpyxl import Workbook

    from gvckit.files import atomic_write

    guide = {
        "cluster": "name of the cluster (as actor.cluster in the chain file)",
        "round": "survey round: a year or wave number",
        "id": "firm identifier (anonymised)",
        "stage": "chain stage of the firm (optional)",
        "institutions": "support institutions used, comma-separated",
        "learning": "learning mechanisms, comma-separated: " + ", ".join(LEARNING),
    }
    for k in JOINT_ACTIONS:
        guide[f"ja_{k}"] = f"joint action, {k.replace('_', ' ')}: 0 none .. 4 very strong"
    for k in EXTERNAL_ECONOMIES:
        guide[f"ee_{k}"] = f"external economy, {k.replace('_', ' ')}: 0 no benefit .. 4 very strong"
    for k in FUNCTIONS:
        guide[f"cap_{k}"] = f"{k} capability: none, basic, intermediate or advanced (Lall 1992)"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "firms"
    ws.append(list(TABLE_COLUMNS))
    example: dict[str, object] = {
        "cluster": "Example cluster", "round": 2024, "id": "F001", "stage": "production",
        "institutions": "trade association", "learning": "doing, interacting_buyers",
    }  # fmt: skip
    example |= {f"ja_{k}": 0 for k in JOINT_ACTIONS} | {f"ee_{k}": 0 for k in EXTERNAL_ECONOMIES}
    example |= {f"cap_{k}": "basic" for k in FUNCTIONS}
    ws.append([example[c] for c in TABLE_COLUMNS])
    info = wb.create_sheet("guide")
    info.append(["column", "meaning"])
    for c in TABLE_COLUMNS:
        info.append([c, guide.get(c, c)])
    with atomic_write(path) as fh:
        wb.save(fh)
