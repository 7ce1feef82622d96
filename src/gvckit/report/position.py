"""Section 1 of the report: where a country (and one of its sectors) sits in global value
chains, from an ICIO table. Every number comes from :func:`gvckit.icio.measure`."""

from __future__ import annotations

import pandas as pd

from gvckit.errors import OptionError
from gvckit.icio.decompose import Basis
from gvckit.icio.gvc_measures import export_shares
from gvckit.icio.gvc_position import world_means
from gvckit.icio.measures import absorbed_abroad, measure, top_exporters, value_added_origins
from gvckit.icio.model import IcioModel
from gvckit.icio.table import IcioTable
from gvckit.report import charts
from gvckit.report.model import Chart, Figures, Section, Table

__all__ = ["position_section"]

TOP = 8


def _pick(table: IcioTable, country: str, sector: str | None, option: str = "--country") -> None:
    if country not in table.countries:
        raise OptionError(
            f"{option} {country!r} is not in the table; its countries: "
            + ", ".join(table.countries)
        )
    if sector is not None and sector not in table.sectors:
        raise OptionError(
            f"--sector {sector!r} is not in the table; its sectors: " + ", ".join(table.sectors)
        )


def position_section(
    table: IcioTable,
    country: str,
    sector: str | None = None,
    peers: list[str] | None = None,
    panel: pd.DataFrame | None = None,
) -> Section:
    """Exports and their value-added content, participation by three methods, position,
    upstreamness, downstreamness and output shares (net-inventory correction where the table
    marks its inventory changes), NRCA, the partners in the country's value added, compared with
    peers."""
    _pick(table, country, sector)
    for p in peers or []:
        _pick(table, p, None, "--peers")
    basis = Basis(IcioModel(table), lazy=True)  # only the blocks the measures use
    exports = measure("exports", basis)
    peers = [p for p in (peers or top_exporters(exports, sector=sector, exclude=[country]))
             if p != country]  # fmt: skip
    who = [country, *peers]
    unit = table.meta.unit
    section = Section(
        "position",
        "Position in global value chains",
        f"{country}{f', sector {sector}' if sector else ''} in {table.meta.source}, "
        f"{table.meta.year} ({unit}); peers: {', '.join(peers)}.",
    )
    bm = measure("bm", basis, approach="sink", perspective="exporter")
    terms = bm[bm["exporter"] == country].set_index("term")["value"]
    exgr = float(terms["EXGR"])
    if exgr <= 0:
        raise OptionError(f"{country} has no gross exports in the table: no position to report")
    key = export_shares(bm, country, ["DVA", "FVA", ("DDC", "FDC")])
    section.blocks.append(Figures("Key figures", [
        ("gross exports", f"{exgr:,.0f}", unit),
        ("domestic value added in exports", f"{key['DVA']:.1%}", "of gross exports"),
        ("foreign value added in exports", f"{key['FVA']:.1%}", "of gross exports"),
        ("double counting", f"{key['DDC+FDC']:.1%}", "of gross exports"),
    ], data=terms.reset_index()))  # fmt: skip
    shares = export_shares(bm, country, ["VAX", "REF", "DDC", "FVA", "FDC"])
    parts = shares.reset_index().rename(columns={"value": "share"})
    parts.insert(0, "exporter", country)
    section.blocks.append(Chart(
        "Gross exports by value-added origin (Borin–Mancini, sink)",
        charts.stacked(parts, "share", "exporter", "term",
                       "Gross exports split into value-added components", percent=True),
        parts, "VAX: domestic value added absorbed abroad; REF: returning home; DDC and FDC: "
        "double counting; FVA: foreign value added (DVA = VAX + REF).",
    ))  # fmt: skip
    section.blocks.extend(_participation(basis, who))
    section.blocks.append(_stages(basis, who))
    section.blocks.extend(_sector_measures(basis, who, sector, country))
    section.blocks.extend(_partners(basis, country))
    if panel is not None and not panel.empty:
        section.blocks.append(_over_years(panel, who))
    return section


def _participation(basis: Basis, who: list[str]) -> list[Chart | Table]:
    rows = []
    for method in ("oecd", "bm"):
        f = measure("participation", basis, method=method)
        f = f[f["exporter"].isin(who) & f["indicator"].isin(["GVCB_SH", "GVCF_SH", "GVC_SH"])]
        rows.append(f.assign(method=method))
    wwyz = measure("participation", basis, method="wwyz")
    rows.append(wwyz[wwyz["exporter"].isin(who)].assign(method="wwyz"))
    frame = pd.concat(rows, ignore_index=True)[["exporter", "method", "indicator", "value"]]
    wide = frame.pivot_table(index="exporter", columns=["method", "indicator"], values="value")
    wide = wide.reindex(who)
    wide.columns = [f"{key[0]}:{key[1]}" for key in wide.columns]
    oecd = frame[(frame["method"] == "oecd") & frame["indicator"].isin(["GVCB_SH", "GVCF_SH"])]
    oecd = oecd.assign(
        indicator=oecd["indicator"].map(
            {"GVCB_SH": "backward (foreign content)", "GVCF_SH": "forward (in partners' exports)"}
        )
    )
    return [
        Chart("GVC participation (OECD/Koopman, share of gross exports)",
              charts.bar(oecd, "value", "exporter", "GVC participation, share of gross exports",
                         color="indicator", value_format=".1%"), oecd,
              "Backward: foreign value added in the country's exports; forward: its value added "
              "in partners' exports (Koopman et al. 2014; OECD TiVA)."),
        Table("Participation by three methods", wide.reset_index(),
              "oecd: Koopman/OECD shares of gross exports; bm: trade-based (Borin & Mancini "
              "2019); wwyz: production-based forward and backward (Wang, Wei, Yu & Zhu 2017)."),
    ]  # fmt: skip


def _inventories_said(frame: pd.DataFrame, table: IcioTable) -> str:
    """Whether the net-inventory correction was applied, in words."""
    if frame.attrs.get("inventories") == "net":
        return (
            "With the net-inventory correction of Antràs & Chor (2018): inventory changes ("
            + ", ".join(table.meta.inventories)
            + ") are spread over each row's other uses, as in their published dataset."
        )
    return "Without the net-inventory correction (the table marks no inventory changes)."


def _stages(basis: Basis, who: list[str]) -> Table:
    """Upstreamness, downstreamness and output shares by country, on the table collapsed to
    countries, with the world's output-weighted means (Antràs & Chor 2018, Table 1)."""
    model = basis.model
    up = measure("upstreamness", model, by="country")
    down = measure("downstreamness", model, by="country")
    shares = measure("output_shares", model, by="country")
    wide = shares.pivot_table(index="country", columns="indicator", values="value", sort=False)
    wide = wide.rename(columns={"F_GO": "F/GO", "VA_GO": "VA/GO"}).rename_axis(columns=None)
    wide.insert(0, "U", up.set_index("country")["value"])
    wide.insert(1, "D", down.set_index("country")["value"])
    world = world_means(model, wide)
    frame = pd.concat([wide.reindex(who), world.to_frame("world").T]).rename_axis("country")
    return Table(
        "Position along value chains: upstreamness, downstreamness, output shares",
        frame.reset_index(),
        "U: average number of stages before final use; D: stages from primary factors "
        "(Antràs, Chor, Fally & Hillberry 2012; Antràs & Chor 2018); F/GO and VA/GO: final use "
        "and value added per unit of gross output; each country's table collapsed to one "
        "sector; world: output-weighted means (U and D coincide there). "
        + _inventories_said(up, model.table),
    )


def _sector_measures(
    basis: Basis, who: list[str], sector: str | None, country: str
) -> list[Chart | Table]:
    position = measure("position", basis)
    position = position[position["country"].isin(who)].set_index("country").reindex(who)
    out: list[Chart | Table] = [
        Chart("GVC position index",
              charts.bar(position.reset_index(), "value", "country",
                         "GVC position: ln(1 + forward) − ln(1 + backward)", highlight=country),
              position.reset_index(),
              "Above zero: more upstream (supplies inputs to others' exports) than downstream "
              "(Koopman, Powers, Wang & Wei 2010)."),
    ]  # fmt: skip
    if sector is not None:
        up = measure("upstreamness", basis)
        down = measure("downstreamness", basis)
        nrca = measure("nrca", basis)
        rows = []
        for name, f in (("upstreamness", up), ("downstreamness", down), ("nrca", nrca)):
            f = f[(f["sector"] == sector) & f["country"].isin(who)]
            rows.append(f.assign(measure=name))
        frame = pd.concat(rows, ignore_index=True)[["country", "sector", "measure", "value"]]
        wide = frame.pivot_table(index="country", columns="measure", values="value").reindex(who)
        wide = wide[["upstreamness", "downstreamness", "nrca"]]
        out.append(Table(f"Sector {sector}: upstreamness, downstreamness and new RCA",
                         wide.reset_index(),
                         "Upstreamness: average number of stages to final use (Antràs, Chor, "
                         "Fally & Hillberry 2012); downstreamness: stages from primary factors "
                         "(Antràs & Chor 2018). " + _inventories_said(up, basis.model.table)
                         + " NRCA > 1: revealed comparative advantage in value-added exports "
                         "(Koopman, Wang & Wei 2014)."))  # fmt: skip
    return out


def _partners(basis: Basis, country: str) -> list[Chart]:
    tiva = measure("tiva", basis)
    absorbed = absorbed_abroad(tiva, country, TOP)
    content = measure("leontief", basis, post="exports")
    frame = value_added_origins(content, country, TOP).reset_index()
    flows = [
        (f"{country} value added", f"{d} final demand", float(v))
        for d, v in zip(absorbed["destination_country"], absorbed["value"], strict=True)
    ]
    return [
        Chart(f"Partners' value added in {country}'s exports",
              charts.bar(frame, "value", "partner",
                         f"Foreign value added in {country}'s gross exports, by origin"),
              frame, "V·B·E by source country (Leontief 1936; Koopman, Wang & Wei 2014)."),
        Chart(f"Where {country}'s value added is absorbed",
              charts.sankey(flows, f"{country}'s value added by country of final demand"),
              absorbed, "Trade in value added (Johnson & Noguera 2012): the country's value "
                        "added in other countries' final demand, top partners."),
    ]  # fmt: skip


def _over_years(panel: pd.DataFrame, who: list[str]) -> Chart:
    keep = panel[panel["exporter"].isin(who) & (panel["indicator"] == "GVC_SH")]
    keep = keep[["year", "exporter", "value"]].sort_values(["exporter", "year"])
    return Chart("GVC participation over years", charts.lines(keep, "year", "value", "exporter",
                 "GVC participation (share of gross exports) over years"), keep,
                 "From the panel given with --panel (gvckit panel participation).")  # fmt: skip
