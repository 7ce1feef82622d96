"""The chain map SVG: well-formed, one element per actor, link and end market, escaped labels,
deterministic bytes, no overlapping boxes on a large chain."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gvckit import chain
from gvckit.chain.chainmap import GOVERNANCE_STYLES, chain_map_svg
from gvckit.errors import ChainError, OptionError

SMALL = Path(__file__).parent / "data" / "chain_small.yaml"
NS = "{http://www.w3.org/2000/svg}"

Rect = tuple[float, float, float, float]


@pytest.fixture
def small() -> chain.Chain:
    return chain.read_chain(SMALL)


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def _groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if cls in g.get("class", "").split()]


def _texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{NS}text")]


def _rect(g: ET.Element) -> Rect:
    r = g.find(f"{NS}rect")
    assert r is not None
    return (float(r.get("x", "")), float(r.get("y", "")), float(r.get("width", "")),
            float(r.get("height", "")))  # fmt: skip


def _stroke(g: ET.Element) -> float:
    path = g.find(f"{NS}path")
    assert path is not None
    return float(path.get("stroke-width", ""))


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_small_chain_map(small: chain.Chain) -> None:
    svg = chain_map_svg(small)
    root = _parse(svg)
    width, height = float(root.get("width", "")), float(root.get("height", ""))
    assert root.get("viewBox") == f"0 0 {width:g} {height:g}"
    title = root.find(f"{NS}title")
    assert title is not None and title.text == "Value chain map: Test coffee chain (2020)"
    assert root.find(f"{NS}style") is not None

    snap = small.snapshot()
    actors = _groups(root, "actor")
    assert [g.get("data-id") for g in actors] == [a.id for a in snap.actors]
    vertical = [link for link in snap.links if link.kind is chain.model.LinkKind.VERTICAL]
    arrows = _groups(root, "vertical")
    assert len(arrows) == len(vertical) == 7
    assert [(g.get("data-source"), g.get("data-target")) for g in arrows] == [
        (link.source, link.target) for link in vertical
    ]
    for g in arrows:  # each arrow is a path ending in a marker that is defined
        path = g.find(f"{NS}path")
        assert path is not None
        marker = re.fullmatch(r"url\(#(.+)\)", path.get("marker-end", ""))
        assert marker is not None
        assert root.find(f".//{NS}marker[@id='{marker.group(1)}']") is not None
        assert float(path.get("stroke-width", "0")) >= 1
    assert len(_groups(root, "horizontal-link")) == 1

    headers = [t for g in _groups(root, "stage-header") for t in _texts(g)]
    assert headers == [s.name for s in snap.stages]
    markets = _groups(root, "market")
    assert [g.get("data-id") for g in markets] == ["domestic", "export"]
    assert _texts(markets[1]) == ["Europe", "global · organic"]
    assert _texts(markets[0]) == ["Testland", "national"]
    # end markets on the right of every actor
    assert min(_rect(g)[0] for g in markets) > max(sum(_rect(g)[::2]) for g in actors)

    legend = _groups(root, "legend")
    assert len(legend) == 1
    legend_text = " ".join(_texts(legend[0]))
    for label, _, _ in GOVERNANCE_STYLES.values():
        assert label in legend_text
    assert "horizontal link" in legend_text and "cluster" in legend_text

    (meso,) = _groups(root, "meso")
    (macro,) = _groups(root, "macro")
    assert "Coffee Board" in _texts(meso)
    assert "Ministry of Trade" in _texts(macro)
    (cluster,) = _groups(root, "cluster")
    assert "Highland growers" in " ".join(_texts(cluster))
    # the cluster outline encloses its member
    farmers = _rect(actors[0])
    outline = _rect(cluster)
    assert outline[0] < farmers[0] and outline[1] < farmers[1]
    assert outline[0] + outline[2] > farmers[0] + farmers[2]
    assert outline[1] + outline[3] > farmers[1] + farmers[3]


def test_governance_styles(small: chain.Chain) -> None:
    """Implied type where the determinants give one, else the observed type, else none."""
    root = _parse(chain_map_svg(small))
    shown = {(g.get("data-source"), g.get("data-target")): g.get("data-governance")
             for g in _groups(root, "vertical")}  # fmt: skip
    assert shown[("farmers", "coop")] == "relational"
    assert shown[("farmers", "traders")] == "market"
    assert shown[("coop", "roaster")] == "captive"  # implied; observed relational in tooltip
    assert shown[("traders", "roaster")] == GOVERNANCE_STYLES[None][0]  # unstable combination
    assert shown[("roaster", "shops")] == "hierarchy"
    tip = next(
        g.findtext(f"{NS}title") or ""
        for g in _groups(root, "vertical")
        if g.get("data-source") == "coop"
    )
    assert "captive (implied); observed relational" in tip


def test_sizes(small: chain.Chain) -> None:
    by_va = {g.get("data-id"): _rect(g)[3] for g in _groups(_parse(chain_map_svg(small)), "actor")}
    assert by_va["roaster"] > by_va["farmers"] > by_va["shops"] > by_va["coop"]
    counted = chain_map_svg(small, size_by="count")
    by_count = {g.get("data-id"): _rect(g)[3] for g in _groups(_parse(counted), "actor")}
    assert by_count["farmers"] == max(by_count.values())
    assert by_count["roaster"] < by_count["farmers"]
    arrows = {
        (g.get("data-source"), g.get("data-target")): _stroke(g)
        for g in _groups(_parse(counted), "vertical")
    }
    # widths follow the value of the sales: shops → domestic (2800) is the largest
    assert arrows[("shops", "domestic")] == max(arrows.values())
    assert arrows[("farmers", "coop")] > arrows[("farmers", "traders")]


def test_deterministic(small: chain.Chain) -> None:
    assert chain_map_svg(small) == chain_map_svg(small)
    again = chain.read_chain(SMALL)
    assert chain_map_svg(again, 2020, "count") == chain_map_svg(small, 2020, "count")


def test_bad_options(small: chain.Chain) -> None:
    with pytest.raises(OptionError, match="value_added"):
        chain_map_svg(small, size_by="area")
    with pytest.raises(ChainError, match="no snapshot for 1999"):
        chain_map_svg(small, year=1999)


def _data(
    stages: int, per_stage: int, name: str = "Generated chain", **extra: Any
) -> dict[str, Any]:
    actors = [
        {
            "id": f"a{s}_{k}",
            "name": f"Operator type number {k} of stage {s} with a long name",
            "kind": "small_firm" if s < stages - 1 else "retailer",
            "stage": f"stage {s}",
            "count": 1 + 7 * k + s,
            "external_inputs": 1 + k,
            "cluster": "North" if k < 2 and s % 3 == 0 else None,
        }
        for s in range(stages)
        for k in range(per_stage)
    ]
    links: list[dict[str, Any]] = [
        {
            "source": f"a{s}_{k}",
            "target": f"a{s + 1}_{(k + j) % per_stage}",
            "volume": 10.0 * (k + 1) + j,
            "unit_price": 1.0 + s,
            "governance": {
                "complexity": ["low", "high"][(s + k) % 2],
                "codifiability": ["high", "low"][(s + j) % 2],
                "supplier_capability": "high",
            },
        }
        for s in range(stages - 1)
        for k in range(per_stage)
        for j in range(2)
    ]
    links += [
        {"source": f"a{stages - 1}_{k}", "target": ["home", "abroad"][k % 2], "money": 50.0 + k}
        for k in range(per_stage)
    ]
    links += [
        {"source": f"a{s}_0", "target": f"a{s}_{per_stage - 1}", "kind": "horizontal"}
        for s in range(stages)
    ]
    return {
        "name": name,
        "product": "widgets",
        "country": "Testland",
        "currency": "USD",
        "unit": "widget",
        "snapshots": [
            {
                "year": 2024,
                "stages": [{"name": f"stage {s}"} for s in range(stages)],
                "clusters": [{"name": "North", "joint_actions": ["joint marketing"]}],
                "actors": actors,
                "links": links,
                "end_markets": [
                    {"id": "home", "destination": "Home market", "channel": "national"},
                    {"id": "abroad", "destination": "Abroad", "channel": "global"},
                ],
                "supporters": [
                    {"name": f"Support agency {k}", "level": "meso" if k % 3 else "macro"}
                    for k in range(12)
                ],
                **extra,
            }
        ],
    }


@pytest.mark.parametrize("size_by", ["value_added", "count"])
def test_large_chain_no_overlaps(size_by: str) -> None:
    c = chain.chain_from_data(_data(8, 4))
    root = _parse(chain_map_svg(c, size_by=size_by))
    width, height = float(root.get("width", "")), float(root.get("height", ""))
    boxes = [_rect(g) for g in _groups(root, "actor") + _groups(root, "market")]
    assert len(_groups(root, "actor")) == 32
    assert len(_groups(root, "vertical")) == 7 * 4 * 2 + 4
    assert len(_groups(root, "horizontal-link")) == 8
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    for x, y, w, h in boxes:
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height
    # the bands and the legend lie below every box
    bands = [_rect(g) for g in _groups(root, "band")]
    assert min(b[1] for b in bands) > max(y + h for _, y, _, h in boxes)
    # cluster outlines do not overlap other actors' boxes (members are within theirs)
    for outline in _groups(root, "cluster"):
        o = _rect(outline)
        inside = [b for b in boxes if _overlap(o, b)]
        assert all(o[0] < b[0] and b[0] + b[2] < o[0] + o[2] for b in inside)
    # long names are wrapped whole (the part that tells them apart is shown), and kept in
    # the tooltip
    first = _groups(root, "actor")[0]
    name = "Operator type number 0 of stage 0 with a long name"
    lines = [t.text or "" for t in first.iter(f"{NS}text") if t.get("class") == "name"]
    assert len(lines) > 1 and " ".join(lines) == name
    assert name in (first.findtext(f"{NS}title") or "")


def test_long_similar_names_are_told_apart() -> None:
    """Names that differ only at the end (the iPad's component suppliers) are shown whole;
    a name longer than four lines is cut after a whole word."""
    data = _data(2, 3)
    endings = ["of the Republic of Korea", "of Taiwan, Province of China", "of Japan"]
    for actor, ending in zip(data["snapshots"][0]["actors"], endings, strict=False):
        actor["name"] = f"Component suppliers of memory and display panels {ending}"
    very_long = "Cooperative union " + " ".join(f"word{k}" for k in range(40))
    data["snapshots"][0]["actors"][3]["name"] = very_long
    root = _parse(chain_map_svg(chain.chain_from_data(data)))
    shown = {}
    for g in _groups(root, "actor"):
        lines = [t.text or "" for t in g.iter(f"{NS}text") if t.get("class") == "name"]
        shown[g.get("data-id")] = lines
    for k, ending in enumerate(endings):
        assert " ".join(shown[f"a0_{k}"]).endswith(ending)
    cut = " ".join(shown["a1_0"])
    assert len(shown["a1_0"]) == 4 and cut.count(" … ") == 1
    head, tail = (part.split() for part in cut.split(" … "))
    all_words = very_long.split()  # whole words from the start and from the end, none cut
    assert head == all_words[: len(head)] and tail == all_words[-len(tail) :]
    # every box holds its lines: the label lines lie inside the rectangle
    for g in _groups(root, "actor"):
        _, y, _, h = _rect(g)
        ys = [float(t.get("y", "")) for t in g.iter(f"{NS}text")]
        assert all(y < v <= y + h for v in ys)


def test_tall_column() -> None:
    """24 actors in one stage: stacked without overlap, the canvas grows to hold them."""
    c = chain.chain_from_data(_data(2, 24))
    root = _parse(chain_map_svg(c))
    boxes = [_rect(g) for g in _groups(root, "actor")]
    assert len(boxes) == 48
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b)
    assert float(root.get("height", "")) > max(y + h for _, y, _, h in boxes)


def test_escaping() -> None:
    nasty = "Bad <name> & \"quotes\" 'here' ]]> \x01"
    data = _data(2, 2, name=nasty)
    snap = data["snapshots"][0]
    snap["stages"][0]["name"] = "<stage & co>"
    for a in snap["actors"]:
        if a["stage"] == "stage 0":
            a["stage"] = "<stage & co>"
    snap["actors"][0]["name"] = 'A <b>"x"</b> & co'
    snap["actors"][0]["id"] = 'x"<&>'
    for link in snap["links"]:
        if link["source"] == "a0_0":
            link["source"] = 'x"<&>'
    snap["end_markets"][0]["destination"] = "<Market & Co>"
    snap["supporters"][0]["name"] = 'Board <&> "x"'
    snap["clusters"][0]["name"] = "North <&>"
    for a in snap["actors"]:
        if a["cluster"] == "North":
            a["cluster"] = "North <&>"
    c = chain.chain_from_data(data)
    svg = chain_map_svg(c)
    root = _parse(svg)  # well-formed despite the markup in the labels
    assert "<b>" not in svg and "<stage" not in svg
    title = root.findtext(f"{NS}title") or ""
    assert 'Bad <name> & "quotes"' in title
    assert "\x01" not in svg
    actor = _groups(root, "actor")[0]
    assert actor.get("data-id") == 'x"<&>'
    assert _texts(actor)[0] == 'A <b>"x"</b> & co'
    headers = [t for g in _groups(root, "stage-header") for t in _texts(g)]
    assert headers[0] == "<stage & co>"
    assert "<Market & Co>" in _texts(_groups(root, "market")[0])
    assert any('Board <&> "x"' in t for g in _groups(root, "band") for t in _texts(g))
    assert "cluster: North <&>" in " ".join(_texts(_groups(root, "cluster")[0]))
    assert any(g.get("data-source") == 'x"<&>' for g in _groups(root, "vertical"))


def test_minimal_chain() -> None:
    """One stage, one actor, no links, end markets, supporters or clusters."""
    c = chain.chain_from_data({
        "name": "Tiny", "product": "p", "country": "c", "currency": "USD", "unit": "u",
        "snapshots": [{"year": 2000, "stages": [{"name": "only"}],
                       "actors": [{"id": "solo", "kind": "micro_firm", "stage": "only"}]}],
    })  # fmt: skip
    root = _parse(chain_map_svg(c))
    assert len(_groups(root, "actor")) == 1
    assert _groups(root, "market") == [] and _groups(root, "vertical") == []
    assert "(none recorded)" in _texts(_groups(root, "meso")[0])
    assert len(_groups(root, "legend")) == 1


def test_volume_weights_and_backward_link() -> None:
    """Without values the arrows follow volumes; a link back to an earlier stage still draws."""
    data = _data(3, 2)
    snap = data["snapshots"][0]
    for link in snap["links"]:
        link.pop("unit_price", None)
        link.pop("money", None)
    snap["links"].append({"source": "a2_0", "target": "a0_1", "volume": 1000.0})
    c = chain.chain_from_data(data)
    root = _parse(chain_map_svg(c))
    widths = {
        (g.get("data-source"), g.get("data-target")): _stroke(g) for g in _groups(root, "vertical")
    }
    assert widths[("a2_0", "a0_1")] == max(widths.values())
    assert widths[("a2_0", "home")] == 1.0  # no volume: the minimum
    assert "arrow width ∝ volume" in " ".join(_texts(root))


def test_arrows_skipping_stages_pass_between_boxes() -> None:
    """A link that skips stages crosses their columns through the gaps between the boxes."""
    data = _data(5, 4)
    data["snapshots"][0]["links"] += [
        {"source": f"a0_{k}", "target": f"a3_{(k + 1) % 4}", "money": 30.0 * (k + 1)}
        for k in range(4)
    ] + [{"source": "a1_2", "target": "abroad", "money": 80.0}]
    root = _parse(chain_map_svg(chain.chain_from_data(data)))
    boxes = [_rect(g) for g in _groups(root, "actor") + _groups(root, "market")]
    crossings = 0
    for g in _groups(root, "vertical"):
        path = g.find(f"{NS}path")
        assert path is not None
        half = _stroke(g) / 2
        for x, y in re.findall(r"L([-\d.]+),([-\d.]+)", path.get("d", "")):
            crossings += 1
            right, mid = float(x), float(y)
            for bx, by, _, bh in boxes:
                if right - 200 < bx < right:  # a box of the column crossed
                    assert mid + half < by or mid - half > by + bh
    assert crossings == 4 * 2 + 3  # two columns for each a0 → a3, three for a1 → abroad


def test_small_chain_export_arrow_avoids_shops(small: chain.Chain) -> None:
    root = _parse(chain_map_svg(small))
    (shops,) = [_rect(g) for g in _groups(root, "actor") if g.get("data-id") == "shops"]
    (arrow,) = [g for g in _groups(root, "vertical") if g.get("data-target") == "export"]
    path = arrow.find(f"{NS}path")
    assert path is not None
    ((_, y),) = re.findall(r"L([-\d.]+),([-\d.]+)", path.get("d", ""))
    assert float(y) > shops[1] + shops[3] or float(y) < shops[1]


def test_chain_map_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gvckit.cli import main

    out = tmp_path / "map.svg"
    small = Path(__file__).parent / "data" / "chain_small.yaml"
    assert main(["chain", "map", str(small), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml")
    assert main(["chain", "map", str(small), "-o", str(tmp_path / "map.png")]) == 2
    assert main(["chain", "map", str(small), "-o", str(out), "--size-by", "x"]) == 2
    assert "value_added" in capsys.readouterr().err
