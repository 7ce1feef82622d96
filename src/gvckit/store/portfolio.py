"""The portfolio review of a workspace: scans stored per workspace, the activity list with its
filters and full-text search, one activity with its reviews, reviewers' verdicts, and the
agreement of the classifier with the reviewers. The pages and the API call these functions.

Activities are read and classified by the portfolio scanner (:mod:`gvckit.portfolio.store`,
the same parsing, classification and US dollar conversion as ``gvckit portfolio scan``) and
stored under the workspace; nothing here classifies anything.

The workbench has one set of IATI codelists, :func:`workbench_codelists` (the folder
``$GVCKIT_IATI_CODELISTS`` names, read once; ``gvckit serve`` reads it at start and stops on a
wrong folder): its scans name the codes with it, as ``gvckit portfolio scan --codelists`` does,
and its review tables name the recipient countries with it.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Engine, and_, exists, func, insert, select

from gvckit.auth.users import User
from gvckit.errors import InputError, OptionError
from gvckit.portfolio.codelists import Codelists, read_codelists
from gvckit.store import search
from gvckit.store.portfolio_scan import VERDICTS, ScanCounts, bar_list, ingest, now
from gvckit.store.portfolio_schema import ACTIVITIES, REVIEWS, SCANS, TEXTS
from gvckit.store.schema import USERS
from gvckit.store.workspaces import NotFoundError

__all__ = [
    "VERDICTS",
    "Filters",
    "ScanCounts",
    "add_review",
    "agreement_of",
    "code_label",
    "country_names",
    "finances_by_year",
    "get_activity",
    "ingest",
    "list_activities",
    "reviewed_set",
    "workbench_codelists",
]

SORTS = {
    "confidence": (ACTIVITIES.c.confidence, False), "-confidence": (ACTIVITIES.c.confidence, True),
    "identifier": (ACTIVITIES.c.iati_identifier, False),
    "title": (ACTIVITIES.c.title, False), "year": (ACTIVITIES.c.year, False),
    "-year": (ACTIVITIES.c.year, True), "usd": (ACTIVITIES.c.usd, False),
    "-usd": (ACTIVITIES.c.usd, True),
}  # fmt: skip
#: IATI OrganisationRole codes.
ROLES = {"1": "funding", "2": "accountable", "3": "extending", "4": "implementing"}
QUEUES = ("unreviewed", "disagree", "sample-no")
#: The classifier's verdicts a list may select: one, or the value chain activities (the IDB
#: review's set: yes or possible).
CLASSIFIED = (*VERDICTS, "yes,possible")


# -- the list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the list shows; every field optional (empty: no condition)."""

    q: str = ""
    value_chain: str = ""  # the classifier's verdict (one of CLASSIFIED)
    publisher: str = ""
    country: str = ""
    sector: str = ""
    year: int | None = None
    status: str = ""
    verdict: str = ""  # a reviewer's verdict (yes/possible/no), or "unreviewed"
    pattern: str = ""
    field: str = ""
    upgrading: str = ""
    queue: str = ""  # unreviewed, disagree, sample-no

    def check(self) -> None:
        if self.value_chain and self.value_chain not in CLASSIFIED:
            raise OptionError(
                f"value_chain must be yes, possible, no or yes,possible, not {self.value_chain!r}"
            )
        if self.verdict and self.verdict not in (*VERDICTS, "unreviewed"):
            raise OptionError(
                f"verdict must be yes, possible, no or unreviewed, not {self.verdict!r}"
            )
        if self.queue and self.queue not in QUEUES:
            raise OptionError(f"queue must be one of {', '.join(QUEUES)}, not {self.queue!r}")
        for name in ("publisher", "country", "sector", "status", "pattern", "field",
                     "upgrading"):  # fmt: skip
            if ";" in getattr(self, name):
                raise OptionError(f"{name} must not contain ';'")


def _conditions(engine: Engine, workspace_id: int, f: Filters) -> list[Any]:
    a = ACTIVITIES.c
    cond: list[Any] = [a.workspace_id == workspace_id]
    if f.q.strip():
        words = search.terms(f.q)
        if words:
            cond.append(search.match_clause(engine, words, a.id))
    if f.value_chain:
        cond.append(a.value_chain.in_(f.value_chain.split(",")))
    if f.publisher:
        cond.append(a.reporting_org_ref == f.publisher.strip())
    if f.status:
        cond.append(a.status == f.status.strip())
    if f.year is not None:
        cond.append(a.year == f.year)
    for column, value in ((a.countries, f.country.upper()), (a.sectors, f.sector),
                          (a.pattern, f.pattern), (a.fields_of_action, f.field),
                          (a.upgrading, f.upgrading)):  # fmt: skip
        if value.strip():
            cond.append(column.contains(f";{value.strip()};", autoescape=True))
    reviewed = exists().where(REVIEWS.c.activity_id == a.id)
    if f.verdict == "unreviewed":
        cond.append(~reviewed)
    elif f.verdict:
        cond.append(exists().where(REVIEWS.c.activity_id == a.id, REVIEWS.c.verdict == f.verdict))
    if f.queue == "unreviewed":
        cond += [a.value_chain.in_(("yes", "possible")), ~reviewed]
    elif f.queue == "disagree":
        cond.append(exists().where(REVIEWS.c.activity_id == a.id,
                                   REVIEWS.c.verdict != a.value_chain))  # fmt: skip
    elif f.queue == "sample-no":
        cond += [a.value_chain == "no", ~reviewed]
    return cond


def _item(row: Any, reviews: int) -> dict[str, Any]:
    m = row._mapping
    return {
        "iati_identifier": m["iati_identifier"], "title": m["title"],
        "value_chain": m["value_chain"], "confidence": m["confidence"],
        "publisher": m["reporting_org_ref"], "publisher_name": m["reporting_org_name"],
        "countries": [c for c in m["countries"].split(";") if c],
        "sectors": [c for c in m["sectors"].split(";") if c], "year": m["year"],
        "status": m["status"], "pattern": [c for c in m["pattern"].split(";") if c],
        "fields_of_action": [c for c in m["fields_of_action"].split(";") if c],
        "upgrading": [c for c in m["upgrading"].split(";") if c], "usd": m["usd"],
        "reviews": reviews,
    }  # fmt: skip


LIST_COLUMNS = [ACTIVITIES.c[n] for n in (
    "id", "iati_identifier", "title", "value_chain", "confidence", "reporting_org_ref",
    "reporting_org_name", "countries", "sectors", "year", "status", "pattern",
    "fields_of_action", "upgrading", "usd")]  # fmt: skip


def list_activities(
    engine: Engine, workspace_id: int, filters: Filters, *, page: int = 1, per_page: int = 50,
    sort: str = "-confidence",
) -> tuple[int, list[dict[str, Any]]]:  # fmt: skip
    """(how many match, the ``page``-th page of them), sorted by ``sort`` (a key of
    :data:`SORTS`; ties by identifier). ``per_page`` 0: all of them (exports)."""
    filters.check()
    if sort not in SORTS:
        raise OptionError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    cond = _conditions(engine, workspace_id, filters)
    column, desc = SORTS[sort]
    if filters.queue == "sample-no":  # a fixed pseudo-random order: the same sample each time
        order: list[Any] = [(ACTIVITIES.c.id * 7919) % 10007, ACTIVITIES.c.id]
    else:
        order = [column.desc() if desc else column.asc(), ACTIVITIES.c.iati_identifier]
    counts = select(func.count(REVIEWS.c.id)).where(
        REVIEWS.c.activity_id == ACTIVITIES.c.id).scalar_subquery()  # fmt: skip
    query = select(*LIST_COLUMNS, counts.label("n_reviews")).where(and_(*cond)).order_by(*order)
    if per_page:
        query = query.limit(per_page).offset((page - 1) * per_page)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(ACTIVITIES).where(
            and_(*cond))).scalar_one())  # fmt: skip
        rows = conn.execute(query).all()
    return total, [_item(r, int(r._mapping["n_reviews"])) for r in rows]


# -- one activity and its reviews ------------------------------------------------------------


def _activity_id(conn: Any, workspace_id: int, identifier: str) -> int:
    found = conn.execute(select(ACTIVITIES.c.id).where(
        ACTIVITIES.c.workspace_id == workspace_id,
        ACTIVITIES.c.iati_identifier == identifier)).first()  # fmt: skip
    if found is None:
        raise NotFoundError("no such activity in this workspace")
    return int(found[0])


def _reviews(conn: Any, activity_ids: Sequence[int] | None, workspace_id: int) -> list[Any]:
    q = (select(REVIEWS, USERS.c.name.label("reviewer"), ACTIVITIES.c.iati_identifier,
                ACTIVITIES.c.value_chain, ACTIVITIES.c.confidence, ACTIVITIES.c.title,
                TEXTS.c.data)
         .join(USERS, USERS.c.id == REVIEWS.c.user_id)
         .join(ACTIVITIES, ACTIVITIES.c.id == REVIEWS.c.activity_id)
         .join(TEXTS, TEXTS.c.activity_id == REVIEWS.c.activity_id)
         .where(ACTIVITIES.c.workspace_id == workspace_id)
         .order_by(REVIEWS.c.id))  # fmt: skip
    if activity_ids is not None:
        q = q.where(REVIEWS.c.activity_id.in_(list(activity_ids)))
    return list(conn.execute(q).mappings())


def _review_out(m: Any) -> dict[str, Any]:
    return {
        "id": m["id"], "reviewer": m["reviewer"], "verdict": m["verdict"],
        "pattern": [c for c in m["pattern"].split(";") if c],
        "fields_of_action": [c for c in m["fields_of_action"].split(";") if c],
        "upgrading": [c for c in m["upgrading"].split(";") if c], "note": m["note"],
        "created_at": m["created_at"].isoformat() if m["created_at"] else None,
    }  # fmt: skip


def code_label(code: str, name: str) -> str:
    """What a page shows for a code: its name with the code in brackets ("Kenya (KE)"), or the
    bare code without a name (or without a code, the name)."""
    if code and name:
        return f"{name} ({code})"
    return code or name


def _named(codes: Sequence[str], joined: str | None) -> list[str]:
    """:func:`code_label` of each code, its name read from a stored list of names
    ("KE Kenya; XX", :meth:`~gvckit.portfolio.codelists.Codelists.names_of`)."""
    names: dict[str, str] = {}
    for entry in (joined or "").split("; "):
        code, _, name = entry.partition(" ")
        if code in codes and name:
            names.setdefault(code, name)
    return [code_label(c, names.get(c, "")) for c in codes]


def get_activity(engine: Engine, workspace_id: int, identifier: str) -> dict[str, Any]:
    """Everything about one activity of the workspace: the list's fields, the stored row
    (evidence, typology, organisations...), titles and descriptions, finances, reviews.
    ``labels``: the codes with the names the scan gave them (:func:`code_label`: "Kenya (KE)",
    a bare code where the scan had no name) for the status, the reporting organisation's type,
    the aid, finance and flow types (one string each) and the countries and sectors (lists)."""
    with engine.connect() as conn:
        aid = _activity_id(conn, workspace_id, identifier)
        row = conn.execute(select(*LIST_COLUMNS, TEXTS.c.data)
                           .join(TEXTS, TEXTS.c.activity_id == ACTIVITIES.c.id)
                           .where(ACTIVITIES.c.id == aid)).first()  # fmt: skip
        assert row is not None
        reviews = [_review_out(m) for m in _reviews(conn, [aid], workspace_id)]
    out = _item(row, len(reviews))
    data = json.loads(row._mapping["data"])
    stored = data["row"]
    detail = data["detail"]
    out.update(
        file=stored.get("file"), line=stored.get("line"),
        evidence=[e for e in (stored.get("value_chain_evidence") or "").split(" | ") if e],
        typology_evidence=[e for e in (stored.get("typology_evidence") or "").split(" | ") if e],
        beneficiaries=[c for c in (stored.get("beneficiaries") or "").split(";") if c],
        start_date=stored.get("start_date"), end_date=stored.get("end_date"),
        status_name=stored.get("status_name"), country_names=stored.get("country_names"),
        sector_names=stored.get("sector_names"), aid_type=stored.get("aid_type"),
        finance_type=stored.get("finance_type"), flow_type=stored.get("flow_type"),
        titles=[{"lang": lang, "text": t} for lang, t in detail.get("titles", [])],
        descriptions=[{"type": k, "lang": lang, "text": t}
                      for k, lang, t in detail.get("descriptions", [])],
        organisations=[{"ref": r[0], "role": ROLES.get(r[1], r[1]), "type": r[2], "name": r[3]}
                       for r in detail.get("participating_orgs", []) if len(r) >= 4],
        sentences=detail.get("value_chain", {}).get("sentences", []),
        finances=data["finances"], reviews=reviews,
        reporting_org_type=stored.get("reporting_org_type") or "",
    )  # fmt: skip
    labels: dict[str, Any] = {
        key: code_label(stored.get(key) or "", stored.get(f"{key}_name") or "")
        for key in ("status", "reporting_org_type", "aid_type", "finance_type", "flow_type")
    }
    labels["countries"] = _named(out["countries"], stored.get("country_names"))
    labels["sectors"] = _named(out["sectors"], stored.get("sector_names"))
    out["labels"] = labels
    return out


def review_vocabulary() -> dict[str, tuple[str, ...]]:
    """The names a review's typology corrections take, field by field: those the scan reads
    from the text (:mod:`gvckit.portfolio.typology`), so corrections and the classifier's
    reading compare name for name."""
    from gvckit.portfolio.typology import FIELDS, PATTERNS, UPGRADING

    return {"pattern": tuple(PATTERNS), "fields_of_action": tuple(FIELDS),
            "upgrading": tuple(UPGRADING)}  # fmt: skip


def _listed(values: Sequence[str] | None, name: str) -> str:
    items = [v.strip() for v in values or [] if v.strip()]
    known = review_vocabulary()[name]
    for v in items:
        if ";" in v or len(v) > 100:
            raise InputError("each value at most 100 characters, no ';'", field=name)
        if v not in known:
            raise InputError(f"unknown value {v!r}; one of {', '.join(known)}", field=name)
    return bar_list(list(dict.fromkeys(items))[:20])


def finances_by_year(finances: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """An activity's finances (:func:`get_activity`'s ``finances``) summed by year, kind and
    currency, sorted: the year of the value date (a budget's: its period start; ``—`` without
    either), the sum in the original currency and the sum of the US dollar values (None when
    none of them has one)."""
    acc: dict[tuple[str, str, str], list[float]] = {}
    for f in finances:
        year = (f.get("value_date") or f.get("period_start") or "")[:4] or "—"
        cell = acc.setdefault((year, f["kind"], f["currency"]), [0.0, 0.0, 0])
        cell[0] += f["value"]
        if f.get("value_usd") is not None:
            cell[1] += f["value_usd"]
            cell[2] += 1
    return [{"year": y, "kind": k, "currency": c, "value": v[0],
             "usd": v[1] if v[2] else None} for (y, k, c), v in sorted(acc.items())]  # fmt: skip


def add_review(
    engine: Engine, workspace_id: int, identifier: str, user: User, verdict: str, note: str = "",
    *, pattern: Sequence[str] | None = None, fields_of_action: Sequence[str] | None = None,
    upgrading: Sequence[str] | None = None,
) -> int:  # fmt: skip
    """Record ``user``'s verdict (and typology corrections, a note) on the activity: a new row
    with who and when; earlier reviews and the classifier's verdict stay as they are."""
    if verdict not in VERDICTS:
        raise InputError(f"must be yes, possible or no, not {verdict!r}", field="verdict")
    if len(note) > 5000:
        raise InputError("longer than 5000 characters", field="note")
    with engine.begin() as conn:
        aid = _activity_id(conn, workspace_id, identifier)
        new = conn.execute(insert(REVIEWS).values(
            activity_id=aid, user_id=user.id, verdict=verdict, note=note,
            pattern=_listed(pattern, "pattern"),
            fields_of_action=_listed(fields_of_action, "fields_of_action"),
            upgrading=_listed(upgrading, "upgrading"), created_at=now(),
        )).inserted_primary_key  # fmt: skip
    assert new is not None
    return int(new[0])


# -- agreement and the reviewed set ------------------------------------------------------------


def latest_verdicts(engine: Engine, workspace_id: int) -> list[dict[str, Any]]:
    """Each reviewer's latest review of each activity (earlier ones are history), in the order
    of their first review of it."""
    with engine.connect() as conn:
        rows = _reviews(conn, None, workspace_id)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for m in rows:
        key = (m["iati_identifier"], m["reviewer"])
        latest[key] = {**dict(m), "first": latest.get(key, dict(m)).get("first", m["id"])}
    return sorted(latest.values(), key=lambda r: r["first"])


def _estimate(e: Any) -> dict[str, Any]:
    def clean(x: float) -> float | None:
        return None if x is None or math.isnan(x) else float(x)

    return {"value": clean(e.value), "low": clean(e.low), "high": clean(e.high), "n": int(e.n)}


def agreement_of(engine: Engine, workspace_id: int) -> dict[str, Any]:
    """Precision, recall (of "yes or possible"), precision of "yes" and Cohen's kappa of the
    classifier against the reviewers, with Wilson 95 % intervals (kappa: seeded bootstrap),
    by :func:`gvckit.portfolio.agreement.agreement`. Each judgement is one reviewer's latest
    verdict on one activity. Between reviewers: on activities reviewed by two or more people,
    the first two reviewers' latest verdicts (kappa, and the share on which they agree)."""
    from gvckit.portfolio.agreement import Judged, agreement, wilson

    latest = latest_verdicts(engine, workspace_id)
    judged = [Judged(r["verdict"], r["value_chain"]) for r in latest]
    out: dict[str, Any] = {"n": len(judged), "reviews": len(latest), "precision": None,
                           "recall": None, "yes_precision": None, "kappa": None,
                           "between_reviewers": None}  # fmt: skip
    if judged:
        a = agreement(judged, bootstrap=500)
        out.update(precision=_estimate(a.precision), recall=_estimate(a.recall),
                   yes_precision=_estimate(a.yes_precision),
                   kappa=_estimate(type(a.precision)(*a.kappa, a.n)))  # fmt: skip
    by_activity: dict[str, list[str]] = {}
    for r in latest:
        by_activity.setdefault(r["iati_identifier"], []).append(r["verdict"])
    pairs = [v[:2] for v in by_activity.values() if len(v) >= 2]
    if pairs:
        b = agreement([Judged(x, y) for x, y in pairs], bootstrap=500)
        same = sum(1 for x, y in pairs if x == y)
        low, high = wilson(same, len(pairs))
        out["between_reviewers"] = {
            "n": len(pairs), "kappa": _estimate(type(b.precision)(*b.kappa, b.n)),
            "agreement": {"value": same / len(pairs), "low": low, "high": high, "n": len(pairs)},
        }  # fmt: skip
    return out


LABEL_COLUMNS = [
    "iati_identifier", "file", "label", "reason", "label_v1", "label_v2", "split", "stratum",
    "weight", "sample", "earlier_stratum", "current_stratum",
]  # fmt: skip


def reviewed_set(engine: Engine, workspace_id: int) -> list[dict[str, Any]]:
    """The reviewed activities in the columns of ``tests/data/iati_vc_labels.csv``: one row per
    activity, labelled with its latest review (the reviewer's note as the reason), split
    ``review``, stratum the classifier's verdict, no weight, sample ``review``, no sampling
    strata."""
    rows: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for m in _reviews(conn, None, workspace_id):
            stored = json.loads(m["data"])["row"]
            rows[m["iati_identifier"]] = {
                "iati_identifier": m["iati_identifier"], "file": stored.get("file", ""),
                "label": m["verdict"],
                "reason": " ".join((m["note"] or f"reviewed by {m['reviewer']}").split()),
                "label_v1": "", "label_v2": "", "split": "review",
                "stratum": f"classifier-{m['value_chain']}", "weight": "", "sample": "review",
                "earlier_stratum": "", "current_stratum": "",
            }  # fmt: skip
    return sorted(rows.values(), key=lambda r: r["iati_identifier"])


def has_activities(engine: Engine, workspace_id: int) -> bool:
    """Whether the workspace holds scanned activities (its report then has the review tables)."""
    with engine.connect() as conn:
        found = conn.execute(select(ACTIVITIES.c.id).where(
            ACTIVITIES.c.workspace_id == workspace_id).limit(1)).first()  # fmt: skip
    return found is not None


def scans(engine: Engine, workspace_id: int) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(SCANS).where(SCANS.c.workspace_id == workspace_id)
                            .order_by(SCANS.c.id.desc()).limit(50)).mappings().all()  # fmt: skip
    out = []
    for r in rows:
        stored = json.loads(r["problems"])
        if isinstance(stored, list):  # a scan stored before the kinds were kept
            stored = {"files": stored, "kinds": {}}
        out.append({**dict(r), "problems": stored["files"], "problem_kinds": stored["kinds"]})
    return out


#: The IDB review's tables: dimension → how an activity's values are read.
DIMENSIONS = ("pattern", "fields_of_action", "upgrading", "year", "publisher", "country")


def review_tables(
    engine: Engine, workspace_id: int, filters: Filters, *, codelists: Codelists | None = None
) -> dict[str, Any]:
    """Counts of activities and their commitments in US dollars by each of :data:`DIMENSIONS`
    (the IDB review's tables), over the activities ``filters`` selects. An activity with several
    values (patterns, countries...) counts under each; "none" when it has no value; the US
    dollar sum is over activities with a convertible commitment (``with_usd`` of them).
    ``questions``: the review's questions over the same activities (see :func:`_questions`).
    Publisher and country rows also have a ``name`` ("" without one): a publisher's is the one
    its activities give most often, a recipient country's its name in ``codelists`` (default:
    the workbench's, :func:`workbench_codelists`). Each row's ``label`` is what a table and a
    chart show: the value, or a named row's name with the code in brackets ("Kenya (KE)",
    :func:`code_label`)."""
    filters.check()
    cond = _conditions(engine, workspace_id, filters)
    a = ACTIVITIES.c
    with engine.connect() as conn:
        rows = conn.execute(select(a.pattern, a.fields_of_action, a.upgrading, a.year,
                                   a.reporting_org_ref, a.countries, a.usd, a.analyses,
                                   a.reporting_org_name)
                            .where(and_(*cond))).all()  # fmt: skip
    out: dict[str, Any] = {
        "activities": len(rows),
        "tables": {},
        "questions": _questions([(r[7], r[2], r[0]) for r in rows]),
    }
    for k, dim in enumerate(DIMENSIONS):
        acc: dict[str, list[float]] = {}
        for r in rows:
            raw = r[k if k < 5 else 5]
            if dim in ("pattern", "fields_of_action", "upgrading", "country"):
                values = [v for v in str(raw or "").split(";") if v] or ["none"]
            else:
                values = [str(raw) if raw not in (None, "") else "none"]
            for v in values:
                cell = acc.setdefault(v, [0, 0.0, 0])
                cell[0] += 1
                if r[6] is not None:
                    cell[1] += float(r[6])
                    cell[2] += 1
        ordered = sorted(acc.items(), key=lambda kv: (-kv[1][0], kv[0]))
        out["tables"][dim] = [{"value": v, "activities": int(c[0]), "usd": c[1],
                               "with_usd": int(c[2]), "label": v}
                              for v, c in ordered]  # fmt: skip
    named = {"publisher": _publisher_names([(r[4], r[8]) for r in rows]),
             "country": country_names((r["value"] for r in out["tables"]["country"]),
                                      codelists)}  # fmt: skip
    for dim, names in named.items():
        for row in out["tables"][dim]:
            row["name"] = names.get(row["value"], "")
            row["label"] = code_label(row["value"], row["name"])
    return out


def country_names(codes: Iterable[str], codelists: Codelists | None = None) -> dict[str, str]:
    """Recipient country code → its name in the IATI Country codelist of ``codelists`` (default:
    the workbench's, :func:`workbench_codelists`); codes without a name, or without codelists,
    are left out."""
    lists = codelists if codelists is not None else workbench_codelists()
    return {code: name for code in codes if (name := lists.name("Country", code))}


def workbench_codelists() -> Codelists:
    """The workbench's IATI codelists: those of the folder ``$GVCKIT_IATI_CODELISTS`` names (the
    one ``gvckit portfolio scan`` reads by default; empty without one), read once per process
    and folder; a folder that cannot be read is an :class:`InputError`. The workbench's scans
    name their codes with them and its review tables their countries; the server hands them to
    its job processes (:class:`gvckit.jobs.worker.WorkerPool`), which do not read them again."""
    return _codelists(os.environ.get("GVCKIT_IATI_CODELISTS") or "")


@cache
def _codelists(folder: str) -> Codelists:
    return read_codelists(folder) if folder else Codelists()


def _publisher_names(pairs: list[tuple[str | None, str | None]]) -> dict[str, str]:
    """Publisher code → the name its activities give most often (ties: the first in
    alphabetical order); codes whose activities give no name (or only the code) are left out."""
    seen: dict[str, dict[str, int]] = {}
    for code, name in pairs:
        name = " ".join(str(name or "").split())
        if code and name and name != code:
            counts = seen.setdefault(str(code), {})
            counts[name] = counts.get(name, 0) + 1
    return {code: min(c, key=lambda n: (-c[n], n)) for code, c in seen.items()}


def _questions(rows: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The review's questions (:data:`gvckit.portfolio.summary.QUESTIONS`) over activities'
    (analyses, upgrading, pattern) lists: for each answer, how many activities name it and
    their share of all (0 when there are none)."""
    from gvckit.portfolio.summary import QUESTIONS

    n = len(rows)
    out = []
    for k, (question, answers) in enumerate(QUESTIONS.items()):
        named = [set(str(r[k] or "").split(";")) for r in rows]
        for answer in answers:
            count = sum(answer in items for items in named)
            out.append({"question": question, "answer": answer, "activities": count,
                        "share": count / n if n else 0.0})  # fmt: skip
    return out
