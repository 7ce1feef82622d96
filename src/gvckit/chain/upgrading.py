"""Economic and social upgrading between two snapshots of a chain, and from trade statistics.

Economic upgrading (Humphrey & Schmitz 2002, *Regional Studies* 36(9); Kaplinsky & Morris 2001):

- **process**: more output per job, lower unit cost (total costs per unit sold);
- **product**: a higher unit value relative to the market — the snapshot's ``reference_prices``
  for the actor's stage where given, else the stage's average selling price;
- **functional**: stages newly performed (or lost) by domestic actors;
- **chain** (inter-sectoral): new products and new end markets;
- **entry** (and exit): actor types that join or leave the chain.

Social upgrading (Barrientos, Gereffi & Rossi 2011, *International Labour Review* 150(3-4)):
jobs, wages, informality and the share of women, per actor present in both years; the chain's
trajectory is placed in the economic × social quadrant (value added per job vs wage per job,
over the actors that give their jobs).

From trade statistics (Kaplinsky & Readman 2005, *Industrial and Corporate Change* 14(4)):
relative unit value (exporter's unit value / world unit value) against market share; rising
both is upgrading, falling both downgrading, the mixed quadrants are reported as such.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gvckit.chain.accounts import ActorAccount, actor_accounts
from gvckit.chain.model import Chain, LinkKind, Snapshot
from gvckit.errors import ChainError, InputError

__all__ = ["COLUMNS", "trade_upgrading", "trajectory", "upgrading"]

COLUMNS = ["type", "subject", "indicator", "from_value", "to_value", "change", "assessment"]
NAN = float("nan")


@dataclass(frozen=True)
class _Row:
    type: str
    subject: str
    indicator: str
    before: float
    after: float
    assessment: str

    def as_tuple(self) -> tuple[object, ...]:
        change = self.after - self.before
        return (self.type, self.subject, self.indicator, self.before, self.after, change,
                self.assessment)  # fmt: skip


def _direction(before: float, after: float, higher_is_better: bool = True) -> str:
    if math.isnan(before) or math.isnan(after):
        return "not measurable"
    if after == before:
        return "no change"
    up = after > before
    return "upgrading" if up == higher_is_better else "downgrading"


def _sold_volume(snap: Snapshot) -> dict[str, float]:
    vol: dict[str, float] = {}
    for link in snap.links:
        if link.kind is LinkKind.VERTICAL and link.volume is not None:
            vol[link.source] = vol.get(link.source, 0.0) + link.volume
    return vol


def _unit_prices(chain: Chain, snap: Snapshot) -> tuple[dict[str, float], dict[str, float]]:
    """Unit selling price of each actor and the average of its stage (chain currency)."""
    value: dict[str, float] = {}
    volume: dict[str, float] = {}
    for link in snap.links:
        if link.kind is LinkKind.VERTICAL and link.volume and link.unit_price is not None:
            cur = link.currency
            rate = 1.0 if cur in (None, chain.currency) else snap.exchange_rates[cur]
            value[link.source] = value.get(link.source, 0.0) + link.volume * link.unit_price * rate
            volume[link.source] = volume.get(link.source, 0.0) + link.volume
    price = {a: value[a] / volume[a] for a in value}
    stage_of = {a.id: a.stage for a in snap.actors}
    by_stage: dict[str, list[float]] = {}
    for a in value:
        by_stage.setdefault(stage_of[a], [0.0, 0.0])
        by_stage[stage_of[a]][0] += value[a]
        by_stage[stage_of[a]][1] += volume[a]
    stage_price = {s: v / q for s, (v, q) in by_stage.items()}
    reference = {a: snap.reference_prices.get(stage_of[a], stage_price[stage_of[a]])
                 for a in price}  # fmt: skip
    return price, reference


def _actor_rows(chain: Chain, s1: Snapshot, s2: Snapshot) -> list[_Row]:
    acc1 = {a.actor.id: a for a in actor_accounts(chain, s1.year)}
    acc2 = {a.actor.id: a for a in actor_accounts(chain, s2.year)}
    vol1, vol2 = _sold_volume(s1), _sold_volume(s2)
    p1, ref1 = _unit_prices(chain, s1)
    p2, ref2 = _unit_prices(chain, s2)
    rows: list[_Row] = []
    for actor_id in [a.id for a in s2.actors if a.id in acc1]:
        a1, a2 = acc1[actor_id], acc2[actor_id]
        prod1 = _per(vol1.get(actor_id, NAN), a1.jobs)
        prod2 = _per(vol2.get(actor_id, NAN), a2.jobs)
        rows.append(
            _Row("process", actor_id, "output_per_job", prod1, prod2, _direction(prod1, prod2))
        )
        cost1 = _per(a1.total_costs, vol1.get(actor_id, NAN))
        cost2 = _per(a2.total_costs, vol2.get(actor_id, NAN))
        rows.append(
            _Row(
                "process",
                actor_id,
                "unit_cost",
                cost1,
                cost2,
                _direction(cost1, cost2, higher_is_better=False),
            )
        )
        ruv1 = _per(p1.get(actor_id, NAN), ref1.get(actor_id, NAN))
        ruv2 = _per(p2.get(actor_id, NAN), ref2.get(actor_id, NAN))
        rows.append(
            _Row("product", actor_id, "relative_unit_value", ruv1, ruv2, _direction(ruv1, ruv2))
        )
        rows += _social_rows(actor_id, a1, a2)
    return rows


def _social_rows(actor_id: str, a1: ActorAccount, a2: ActorAccount) -> list[_Row]:
    e1, e2 = a1.actor.employment, a2.actor.employment
    rows = [
        _Row("social", actor_id, "jobs", a1.jobs, a2.jobs, _direction(a1.jobs, a2.jobs)),
        _Row("social", actor_id, "wage_per_job", _per(a1.wages, a1.jobs), _per(a2.wages, a2.jobs),
             _direction(_per(a1.wages, a1.jobs), _per(a2.wages, a2.jobs))),
    ]  # fmt: skip
    for field, better_high in (("share_informal", False), ("share_women", True)):
        v1 = _opt(getattr(e1, field, None) if e1 else None)
        v2 = _opt(getattr(e2, field, None) if e2 else None)
        rows.append(_Row("social", actor_id, field, v1, v2, _direction(v1, v2, better_high)))
    return rows


def _structure_rows(s1: Snapshot, s2: Snapshot) -> list[_Row]:
    rows: list[_Row] = []
    ids1, ids2 = {a.id for a in s1.actors}, {a.id for a in s2.actors}
    for a in s2.actors:
        if a.id not in ids1:
            rows.append(_Row("entry", a.id, "actor", 0.0, float(a.count), f"enters at {a.stage}"))
    for a in s1.actors:
        if a.id not in ids2:
            rows.append(
                _Row("entry", a.id, "actor", float(a.count), 0.0, f"leaves {a.stage} (downgrading)")
            )

    def local_stages(s: Snapshot) -> set[str]:
        return {a.stage for a in s.actors if (a.ownership or "domestic") != "foreign"}

    for stage in sorted(local_stages(s2) - local_stages(s1)):
        rows.append(_Row("functional", stage, "performed_locally", 0.0, 1.0, "upgrading"))
    for stage in sorted(local_stages(s1) - local_stages(s2)):
        rows.append(_Row("functional", stage, "performed_locally", 1.0, 0.0, "downgrading"))
    prod1 = {a.product for a in s1.actors if a.product}
    prod2 = {a.product for a in s2.actors if a.product}
    for product in sorted(prod2 - prod1):
        rows.append(_Row("chain", product, "new_product", 0.0, 1.0, "upgrading"))
    mk1 = {(m.destination, m.channel.value) for m in s1.end_markets}
    for m in s2.end_markets:
        if (m.destination, m.channel.value) not in mk1:
            rows.append(
                _Row(
                    "chain",
                    f"{m.destination} ({m.channel.value})",
                    "new_end_market",
                    0.0,
                    1.0,
                    "upgrading",
                )
            )
    return rows


def upgrading(chain: Chain, year_from: int, year_to: int) -> pd.DataFrame:
    """Economic and social upgrading from ``year_from`` to ``year_to``: one row per actor and
    indicator (process, product, social) and per structural change (functional, chain,
    entry), with ``from_value, to_value, change, assessment``; then the chain's trajectory."""
    s1, s2 = chain.snapshot(year_from), chain.snapshot(year_to)
    if s1.year >= s2.year:
        raise ChainError("--from must be an earlier year than --to", field="snapshots")
    rows = _actor_rows(chain, s1, s2) + _structure_rows(s1, s2) + trajectory(chain, s1, s2)
    return pd.DataFrame([r.as_tuple() for r in rows], columns=COLUMNS)


def trajectory(chain: Chain, s1: Snapshot, s2: Snapshot) -> list[_Row]:
    """The chain in the economic × social quadrant: value added per job and wage per job."""

    def totals(s: Snapshot) -> tuple[float, float, float]:
        # over the actors that give their jobs, so that value added and wages per job do not
        # spread other actors' value added over them (as the distribution's value_added_per_job)
        staffed = [a for a in actor_accounts(chain, s.year) if not math.isnan(a.jobs)]
        va = sum(a.value_added for a in staffed)
        jobs = sum(a.jobs for a in staffed)
        wages = (sum(a.wages for a in staffed)
                 if all(not math.isnan(a.wages) for a in staffed) else NAN)  # fmt: skip
        return va, jobs, wages

    va1, j1, w1 = totals(s1)
    va2, j2, w2 = totals(s2)
    econ = _direction(_per(va1, j1), _per(va2, j2))
    social = _direction(_per(w1, j1), _per(w2, j2))
    quadrant = {
        ("upgrading", "upgrading"): "economic and social upgrading",
        ("upgrading", "downgrading"): "economic upgrading with social downgrading",
        ("downgrading", "upgrading"): "social upgrading with economic downgrading",
        ("downgrading", "downgrading"): "economic and social downgrading",
    }.get((econ, social), f"economic: {econ}; social: {social}")
    return [
        _Row("trajectory", "chain", "value_added_per_job", _per(va1, j1), _per(va2, j2), econ),
        _Row("trajectory", "chain", "wage_per_job", _per(w1, j1), _per(w2, j2), social),
        _Row("trajectory", "chain", "quadrant", NAN, NAN, quadrant),
    ]


QUADRANTS = {
    (True, True): "upgrading: rising relative unit value and market share",
    (True, False): "rising relative unit value, falling market share",
    (False, True): "falling relative unit value, rising market share (competing on price)",
    (False, False): "downgrading: falling relative unit value and market share",
}


def trade_upgrading(
    trade: pd.DataFrame | str | Path, exporter: str, year_from: int, year_to: int,
    world: str = "World",
) -> pd.DataFrame:  # fmt: skip
    """Kaplinsky & Readman (2005) quadrants per product, from a table with columns
    ``exporter, product, year, value, quantity`` holding the exporter's rows and the world's
    (``exporter == world``). Relative unit value = (value/quantity) / world's; market share =
    value / world value. Same columns as :func:`upgrading` (type ``trade``)."""
    source = str(trade) if not isinstance(trade, pd.DataFrame) else "trade table"
    frame = trade if isinstance(trade, pd.DataFrame) else _read_trade(Path(trade))
    rows: list[_Row] = []
    for product in sorted(frame.loc[frame.exporter == exporter, "product"].unique()):
        stats = {}
        for year in (year_from, year_to):
            own = _one(frame, exporter, product, year, source)
            ref = _one(frame, world, product, year, source)
            ruv = _per(own[0] / own[1], ref[0] / ref[1]) if own[1] and ref[1] else NAN
            stats[year] = (ruv, _per(own[0], ref[0]))
        (r1, m1), (r2, m2) = stats[year_from], stats[year_to]
        quadrant = QUADRANTS.get((r2 > r1, m2 > m1), "not measurable")
        if any(math.isnan(v) for v in (r1, r2, m1, m2)) or r1 == r2 or m1 == m2:
            quadrant = (
                "not measurable"
                if any(math.isnan(v) for v in (r1, r2, m1, m2))
                else ("no change in relative unit value or market share")
            )
        rows.append(_Row("trade", str(product), "relative_unit_value", r1, r2, quadrant))
        rows.append(_Row("trade", str(product), "market_share", m1, m2, quadrant))
    if not rows:
        raise InputError(f"no rows for exporter {exporter!r}", file=source, column="exporter")
    return pd.DataFrame([r.as_tuple() for r in rows], columns=COLUMNS)


def _read_trade(path: Path) -> pd.DataFrame:
    """The trade table through the bounded reader of small tables (CSV plain or gzip, a
    workbook or Parquet: :func:`gvckit.clusters.tables.read_sheet`): every cell as text, a
    gzip bomb, another encoding or a row with more fields than the header refused naming the
    file and row; products stay text (``0901`` keeps its zero)."""
    from gvckit.clusters.tables import labels, numbers, read_sheet

    sheet = read_sheet(path)
    missing = {"exporter", "product", "year", "value", "quantity"} - set(sheet.header)
    if missing:
        raise InputError("missing columns", file=path, row=1,
                         expected=f"columns exporter, product, year, value, quantity;"
                         f" missing {', '.join(sorted(missing))}")  # fmt: skip
    years = numbers(sheet, "year", "year")
    for k, year in enumerate(years):
        if year != int(year):
            raise InputError("not a whole year", file=path, row=sheet.line(k), column="year",
                             found=sheet.column("year", "year").iloc[k])  # fmt: skip
    return pd.DataFrame(
        {
            "exporter": labels(sheet, "exporter", "exporter"),
            "product": labels(sheet, "product", "product"),
            "year": years.astype("int64"),
            "value": numbers(sheet, "value", "value"),
            "quantity": numbers(sheet, "quantity", "quantity"),
        }
    )


def _one(frame: pd.DataFrame, who: str, product: object, year: int, source: str
         ) -> tuple[float, float]:  # fmt: skip
    sel = frame[(frame.exporter == who) & (frame["product"] == product) & (frame.year == year)]
    if sel.empty:
        raise InputError(f"no row for {who}, product {product}, year {year}", file=source)
    return float(sel["value"].sum()), float(sel["quantity"].sum())


def _per(a: float, b: float) -> float:
    return a / b if b and not math.isnan(b) and not math.isnan(a) else NAN


def _opt(v: float | None) -> float:
    return NAN if v is None else float(v)
