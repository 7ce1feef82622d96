"""The value chain classifier judged against readers: the blind test split of the labelled set
when there is one (population-weighted precision, recall, "yes" judged yes, kappa, Wilson
intervals, by the agreement measures and by a plain second reading), the five error patterns of
issue 21 in six languages, the evidence a person can check, the shipped model's provenance
(trained on every row outside the ``test`` split, reproduced byte for byte), the sample weights
by hand, and the agreement measures against simple second readings."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from pathlib import Path

import pytest

from conftest import shared_path
from gvckit.errors import InputError
from gvckit.portfolio.agreement import Judged, agreement, cohen_kappa, wilson
from gvckit.portfolio.classify import SURE, classify, classify_activity, decide
from gvckit.portfolio.iati import Activity, read_activities
from gvckit.portfolio.vcmodel import MODEL_FILE, read_model, shipped_model

LABELS = Path(__file__).parent / "data" / "iati_vc_labels.csv"
# == THE FRESH BLIND TEST SPLIT ==================================================================
#: Session 5's blind test (split ``test``, sample ``blind-150``). After session 4 every activity
#: the classifier called yes or possible was labelled; what no sample had reached in the frame the
#: issue's reader samples was 397 activities called no in a productive sector. All 397 were
#: labelled; 150 drawn at random (seed 20261205) form this test, each read by two labellers blind
#: to verdicts and each other (149 agreed, kappa 0.97; a third settled one), the other 247 train
#: (``frame-247``). Measured once, with the model trained without it (labels doc §13): none of the
#: 150 is called yes or possible; 12 are judged chain work (all ``possible``: thin titles, EPA and
#: commodity-body support, firm programmes in passing), so recall there is 0 [0, 0.24] and kappa
#: 0. What the classifier has not seen in the frame is thus what it misses; the corpus test
#: (tests/test_portfolio_corpus.py) carries the whole frame's precision and recall.
BLIND_SAMPLE: str | None = "blind-150"
BLIND_POPULATION: dict[str, int] = {"F-no-productive": 397}
#: At most this many of the sample's activities judged ``no`` may be called yes or possible
#: (measured: 0), and at most this many judged chain work may be called no (measured: 12 of 12).
BLIND_FALSE_FLAGS_MAX = 2
BLIND_MISSED_MAX = 12
# ==================================================================================================
#: The samples of the labels file: the population of each stratum (N_h) and the split(s). The
#: fresh 150 were the blind test of session 2 (read once to choose), the 209 that of session 3
#: (read twice to choose) and the 266 that of session 4 (read four times, never to choose); they
#: train now.
SAMPLES = {
    "first-283": ({}, {"train"}),
    "earlier-360": ({"V-yes": 130, "V-possible": 491, "V-no-productive": 1455},
                    {"train", "train-2"}),
    "current-260": ({"V-possible": 247, "V-no-productive": 1389}, {"train-3"}),
    "fresh-150": ({"V-yes": 10, "V-possible": 247, "V-no-productive": 1389}, {"train-4"}),
    "current-250": ({"V-possible": 127, "V-no-productive": 1109}, {"train-5"}),
    "blind-209": ({"C-no-productive|S-no-productive": 838, "C-no-productive|S-possible": 8,
                   "C-no|S-possible": 2, "C-possible|S-no": 88, "C-possible|S-no-productive": 71,
                   "C-possible|S-possible": 67}, {"train-6"}),
    "band-360": ({"P-flag": 59, "P-0.30": 204, "P-0.10": 1797, "P-low-productive": 584},
                 {"train-7"}),
    "band2-314": ({"Q-0.61": 55, "Q-0.45": 23, "Q-0.30": 32, "Q-0.20": 60, "Q-0.10": 242,
                   "Q-0.05": 660, "Q-low-productive": 390}, {"train-8"}),
    "blind-266": ({"Q-0.61": 55, "Q-0.45": 23, "Q-0.30": 32, "Q-0.20": 60, "Q-0.10": 242,
                   "Q-0.05": 660, "Q-low-productive": 390}, {"train-10"}),
    "frame-247": (BLIND_POPULATION, {"train-9"}),
    "blind-150": (BLIND_POPULATION, {"test"}),
}  # fmt: skip
MODEL = Path(__file__).parents[1] / "src" / "gvckit" / "data" / MODEL_FILE


def _rows() -> list[dict[str, str]]:
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def test_split() -> list[tuple[dict[str, str], str, float, float, bool]]:
    """(row, verdict, P(chain work), P(yes), in a productive sector) of every activity of the
    blind test split; skips while there is none."""
    rows = {(r["iati_identifier"], r["file"]): r for r in _rows() if r["split"] == "test"}
    if not rows:
        pytest.skip("no blind test split yet (split=test): the lead adds it with its bounds")
    root = shared_path("iati")
    out = []
    for name in sorted({f for _, f in rows}):
        for act in read_activities([root / name]):
            row = rows.get((act.iati_identifier, name))
            if row is not None:
                c = classify_activity(act)
                out.append((row, c.value_chain, c.p_chain, c.p_yes, _productive(act)))
    assert len(out) == len(rows)
    return out


def _productive(act: Activity) -> bool:
    """In a sector the issue's reader counts as productive: agriculture, forestry, fishing,
    industry, mining, construction, trade policy, business services, tourism (DAC 311, 312, 313,
    321, 322, 323, 331, 250, 332) or rural development (43040); activity sectors, else the
    transactions'."""
    groups = ("311", "312", "313", "321", "322", "323", "331", "250", "332")
    codes = [c for c, v, _ in act.sectors if v in ("1", "2", "")]
    return any(c[:3] in groups or c == "43040" for c in codes)


# -- the labelled set ----------------------------------------------------------------------


def test_labelled_set_is_large_stratified_and_split() -> None:
    rows = _rows()
    assert len(rows) == 2849
    assert {r["label"] for r in rows} == {"yes", "possible", "no"}
    assert all(r["reason"].strip() for r in rows)
    keys = [(r["iati_identifier"], r["file"]) for r in rows]
    assert len(set(keys)) == len(keys)
    assert {r["sample"] for r in rows} == set(SAMPLES)
    for sample, (population, splits) in SAMPLES.items():
        mine = [r for r in rows if r["sample"] == sample]
        assert {r["split"] for r in mine} == splits
        if not population:
            assert all(r["weight"] == "" for r in mine)
            continue
        assert {r["stratum"] for r in mine} == set(population)
        # a row weighs its stratum's population over the stratum's rows of its sample and split
        for split in splits:
            for h, n_pop in population.items():
                n = sum(r["split"] == split and r["stratum"] == h for r in mine)
                ws = {r["weight"] for r in mine if r["split"] == split and r["stratum"] == h}
                assert ws == {f"{n_pop / n:.6f}"}, (sample, split, h)
    later = [
        r for r in rows if r["sample"] in ("current-260", "fresh-150", "current-250", "blind-209")
    ]
    # the session-4 samples keep the stratum of 054ac9b's verdict (for the multiplicity weights)
    new = {r["current_stratum"] for r in rows
           if r["sample"].startswith(("band", "blind-266", "frame", "blind-150"))}  # fmt: skip
    assert new <= {"V-yes", "V-possible", "V-no-productive", ""}
    assert all(r["current_stratum"] == r["stratum"] for r in later)
    assert not any(r["split"] == "test" for r in rows) or BLIND_SAMPLE is not None


def test_model_was_trained_on_every_row_but_the_test_split() -> None:
    """The shipped model's training rows are every row outside ``split == "test"``."""
    meta = json.loads(MODEL.read_text(encoding="utf-8"))["meta"]
    train = sorted(f"{r['iati_identifier']}|{r['file']}" for r in _rows() if r["split"] != "test")
    assert meta["trained_on"] == len(train) == 2699
    assert meta["training_ids_sha256"] == hashlib.sha256("\n".join(train).encode()).hexdigest()
    assert meta["tf"] == "log"


def test_sample_weights_by_hand() -> None:
    """Multiplicity weights 1/π, π = 1 − Π(1 − n/N) over the samples; a second reading with plain
    loops over the labels file."""
    pytest.importorskip("sklearn")
    from gvckit.portfolio.training import POPULATIONS, SAME_DRAW, sample_weights

    # session 4's blind test and band2-314 are the two random parts of one draw: one sample
    draw = {"blind-266": "band2-314"}
    assert draw == SAME_DRAW
    rows = _rows()
    mult = sample_weights(rows)
    counts: dict[str, int] = {}
    for r in rows:
        if r["sample"] in POPULATIONS:
            k = draw.get(r["sample"], r["sample"]) + "/" + r[POPULATIONS[r["sample"]][0]]
            counts[k] = counts.get(k, 0) + 1
    assert counts["current-250/V-possible"] == 50
    assert counts["band2-314/Q-0.10"] == 90 + 60
    assert counts["frame-247/F-no-productive"] == 247
    assert BLIND_SAMPLE not in POPULATIONS
    by_hand = []
    for r in rows:
        if r["sample"] in ("first-283", BLIND_SAMPLE):  # no stratified training sample
            by_hand.append(0.0)
            continue
        missed = 1.0
        for sample, (column, population) in POPULATIONS.items():
            k = sample + "/" + r[column]
            if sample not in draw and r[column] in population and k in counts:
                missed = missed * (1 - counts[k] / population[r[column]])
        by_hand.append(1 / (1 - missed))
    assert list(mult) == pytest.approx(by_hand)
    # a row of the band that no earlier design reached weighs 242 / (90 + 60)
    lone = [
        m
        for r, m in zip(rows, mult, strict=True)
        if r["sample"] in draw.keys() | draw.values() and r["stratum"] == "Q-0.10"
        and not r["current_stratum"]
    ]  # fmt: skip
    assert len(lone) > 10 and lone == pytest.approx([242 / 150] * len(lone))
    # and a frame-247 row, which every earlier design could have drawn, weighs less than 397 / 247
    frame = [m for r, m in zip(rows, mult, strict=True) if r["sample"] == "frame-247"]
    assert len(frame) == 247 and max(frame) < 397 / 247


@pytest.mark.slow
def test_training_reproduces_the_shipped_model_byte_for_byte() -> None:
    pytest.importorskip("sklearn")
    from gvckit.portfolio.training import fit, labelled_activities, read_labels

    model = fit(labelled_activities(read_labels(LABELS), shared_path("iati")))
    text = json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n"
    assert text == MODEL.read_text(encoding="utf-8")


# -- judged by readers: the blind test split -------------------------------------------------------


def test_agreement_on_the_fresh_blind_test_split(test_split: list) -> None:
    """Population-weighted on the blind test sample (never used for training or thresholds), by
    the agreement measures and by a plain second reading; then the counts measured once."""
    assert BLIND_SAMPLE is not None and BLIND_POPULATION, "set the blind split's sample and bounds"
    assert {r["sample"] for r, *_ in test_split} == {BLIND_SAMPLE}
    judged = [Judged(row["label"], verdict, row["stratum"]) for row, verdict, *_ in test_split]
    got = agreement(judged, BLIND_POPULATION)
    # a deliberately simple second reading: each row weighs N_h / n_h counted here
    n = {h: sum(r["stratum"] == h for r, *_ in test_split) for h in BLIND_POPULATION}
    w = [BLIND_POPULATION[r["stratum"]] / n[r["stratum"]] for r, *_ in test_split]
    assert w == pytest.approx([float(r["weight"]) for r, *_ in test_split], abs=1e-6)
    lab = [r["label"] for r, *_ in test_split]
    ver = [v for _, v, *_ in test_split]

    def share(hit: list[bool], inside: list[bool]) -> float:
        den = sum(x for x, i in zip(w, inside, strict=True) if i)
        num = sum(x for x, h, i in zip(w, hit, inside, strict=True) if h and i)
        return num / den if den else math.nan

    precision = share([a != "no" for a in lab], [v != "no" for v in ver])
    recall = share([v != "no" for v in ver], [a != "no" for a in lab])
    yes = share([a == "yes" for a in lab], [v == "yes" for v in ver])
    total = sum(w)
    p_o = sum(x for x, a, v in zip(w, lab, ver, strict=True) if a == v) / total
    p_e = (
        sum(
            sum(x for x, a in zip(w, lab, strict=True) if a == k)
            * sum(x for x, v in zip(w, ver, strict=True) if v == k)
            for k in ("yes", "possible", "no")
        )
        / total**2
    )
    kappa = (p_o - p_e) / (1 - p_e)
    assert got.precision.value == pytest.approx(precision, nan_ok=True)
    assert got.recall.value == pytest.approx(recall, nan_ok=True)
    assert got.yes_precision.value == pytest.approx(yes, nan_ok=True)
    assert got.kappa[0] == pytest.approx(kappa)
    assert got.recall.low <= got.recall.value <= got.recall.high
    # the sample lies in the frame the issue's reader samples: all in productive sectors
    assert all(prod for *_, prod in test_split)
    false_flags = sum(a == "no" and v != "no" for a, v in zip(lab, ver, strict=True))
    missed = sum(a != "no" and v == "no" for a, v in zip(lab, ver, strict=True))
    assert false_flags <= BLIND_FALSE_FLAGS_MAX, got
    assert missed <= BLIND_MISSED_MAX, got
    assert got.precision.n + got.recall.n > 0


def test_confidence_is_calibrated_on_the_test_split(test_split: list) -> None:
    """P(chain work) beats the base rate (weighted Brier skill > 0) and is not far off in the
    mean (within 0.13, the drift session 2 measured on its fresh sample with the earlier model).
    """
    w = [float(r["weight"]) for r, *_ in test_split]
    y = [float(r["label"] != "no") for r, *_ in test_split]
    p = [pc for _, _, pc, *_ in test_split]
    total = sum(w)
    base = sum(a * b for a, b in zip(w, y, strict=True)) / total
    brier = sum(a * (q - b) ** 2 for a, q, b in zip(w, p, y, strict=True)) / total
    brier0 = sum(a * (base - b) ** 2 for a, b in zip(w, y, strict=True)) / total
    assert brier < brier0, (brier, brier0)
    assert abs(sum(a * q for a, q in zip(w, p, strict=True)) / total - base) < 0.13


# -- the five error patterns of the issue, in six languages --------------------------------------


def _verdict(text: str, sectors: list[str], title: str, fin: list[str] | None = None,
             aid: list[str] | None = None) -> tuple[str, str]:  # fmt: skip
    c = classify(f"{title}\n{text}", sectors, title, fin or ["110"], aid or ["C01"], text)
    return c.value_chain, " | ".join(c.discounts + c.evidence + c.sentences)


@pytest.mark.parametrize(
    ("title", "text", "sectors", "fin", "discount"),
    [
        ("Mexico Growth Fund III", "The private equity fund invests in mid-market companies; "
         "impact claims: jobs in the renewable energy value chain and suppliers across their value "
         "chains.", ["24030"], ["510"], "label"),
        ("Plastics data", "Life-cycle data on plastics value chains to inform circular economy "
         "regulation and waste policy in coastal cities.", ["41020"], None, "metaphor"),
        ("Economic Recovery and Market Systems", "Cash transfers and relief items for displaced "
         "households under Economic Recovery and Market Systems.", ["72010"], None, "metaphor"),
    ],
)  # fmt: skip
def test_value_chain_as_a_label_is_not_the_work(
    title: str, text: str, sectors: list[str], fin: list[str] | None, discount: str
) -> None:
    verdict, why = _verdict(text, sectors, title, fin)
    assert verdict == "no" and discount in why


def test_thin_record_is_at_most_possible() -> None:
    title = "Coffee value chain development with smallholder cooperatives and exporters"
    verdict, why = _verdict("", ["31163"], title)
    assert verdict in ("possible", "no") and "thin text (0 words" in why
    f = {"thin": 1.0, "study": 0.0, "finance_code": 0.0, "budget_support": 0.0, "linking": 1.0,
         "chain": 1.0}  # fmt: skip
    assert decide(0.99, 0.99, f, 0.5, 0.5) == "possible"
    assert decide(0.99, 0.99, {**f, "thin": 0.0}, 0.5, 0.5) == "yes"
    # and at least possible when the title names a chain (not a metaphor or a label)
    for title in ("Support to the cocoa value chain", "Dairy value chain development"):
        verdict, why = _verdict("", ["31120"], title)
        assert verdict == "possible" and "at least possible with a chain named" in why, title
    for title in ("Health supply chain strengthening", "Agriculture and rural development"):
        assert _verdict("", ["31120"], title)[0] == "no", title
    low = {**f, "chain_title": 1.0, "metaphor": 0.0, "label": 0.0, "other": 0.0}
    assert decide(0.01, 0.01, low, 0.5, 0.5) == "possible"
    assert decide(0.01, 0.01, {**low, "chain_title": 0.0}, 0.5, 0.5) == "no"
    assert decide(0.01, 0.01, {**low, "metaphor": 1.0}, 0.5, 0.5) == "no"


@pytest.mark.parametrize(
    ("title", "text", "sectors", "fin", "aid"),
    [
        ("Credit line Banco Sudameris", "Revolving credit line for on-lending to SMEs to raise "
         "their competitiveness and exports; support to clusters and working capital for "
         "agro-industry firms through the partner bank over five years.",
         ["24030"], ["421"], ["C01"]),
        ("General budget support", "Budget support to improve the competitiveness of the economy "
         "and public finance management, with dialogue on the business climate, over three years "
         "of programme implementation.", ["51010"], ["110"], ["A01"]),
        ("Guarantee fund for SMEs", "A guarantee fund covering bank loans to small and medium "
         "enterprises in all sectors, to improve access to finance and competitiveness of firms "
         "over the coming years.", ["24040"], ["1100"], ["C01"]),
    ],
)  # fmt: skip
def test_finance_instruments_need_a_described_chain_mechanism(
    title: str, text: str, sectors: list[str], fin: list[str], aid: list[str]
) -> None:
    verdict, why = _verdict(text, sectors, title, fin, aid)
    assert verdict == "no" and "without a described chain mechanism" in why
    f = {"thin": 0.0, "study": 0.0, "finance_code": 1.0, "budget_support": 0.0, "linking": 0.0,
         "chain": 1.0}  # fmt: skip
    assert decide(0.99, 0.99, f, 0.5, 0.5) == "possible"  # a named chain: at most possible
    # no chain named either: no, unless the model is sure of chain work (then at most possible)
    assert decide(SURE - 0.01, 0.99, {**f, "chain": 0.0}, 0.5, 0.5) == "no"
    assert decide(SURE, 0.99, {**f, "chain": 0.0}, 0.5, 0.5) == "possible"
    assert decide(0.99, 0.99, {**f, "linking": 1.0}, 0.5, 0.5) == "yes"


@pytest.mark.parametrize(
    ("title", "text", "sectors"),
    [
        ("Civil society fund", "Grants to civil society organisations for advocacy on governance "
         "and human rights, including entrepreneurs' associations, over a three-year programme "
         "with national partners and local groups.", ["15150"]),
        ("Workforce training", "Vocational training of young people in digital skills and "
         "workforce readiness so that they find jobs, with certification of the training centres "
         "and career guidance in secondary schools.", ["11330"]),
        ("Intellectual property law", "Reform of intellectual property law to improve "
         "competitiveness; training of judges and legislators on patents and trademarks in the "
         "national office over three years of work.", ["15130"]),
    ],
)  # fmt: skip
def test_single_weak_words_do_not_pull_unrelated_work(
    title: str, text: str, sectors: list[str]
) -> None:
    assert _verdict(text, sectors, title)[0] == "no"


@pytest.mark.parametrize(
    ("title", "text", "sectors"),
    [
        ("Agribusiness linkages programme", "The programme links 5,000 smallholder farmers to "
         "anchor firms and buyers through offtake agreements; aggregators and exporters provide "
         "embedded services, quality training and inputs so that farmers meet buyer standards and "
         "sell at better prices to processors.", ["31120"]),
        ("Cadenas de café y cacao", "Fortalecer las cadenas de café y cacao mediante clusters "
         "productivos, vinculando a pequeños productores con compradores y exportadores, mejorando "
         "la calidad y el acceso a nuevos mercados con asistencia técnica a las cooperativas.",
         ["31163"]),
        ("Appui à la filière riz", "Le projet appuie la filière riz: mise en relation des "
         "organisations de producteurs avec les transformateurs et les acheteurs, amélioration de "
         "la qualité et accès aux marchés régionaux pour les petits producteurs.", ["31161"]),
        ("Cadeia de valor do caju", "O projeto fortalece a cadeia de valor do caju, ligando "
         "cooperativas de pequenos produtores a compradores e exportadores, com melhoria da "
         "qualidade e acesso a novos mercados e processamento local.", ["31193"]),
        ("Wertschöpfungskette Kakao", "Das Vorhaben fördert die Wertschöpfungskette Kakao: "
         "Kleinbauern und Kooperativen werden mit Abnehmern und Exporteuren verbunden, Qualität "
         "und Verarbeitung werden verbessert und neue Märkte erschlossen.", ["31193"]),
        ("Waardeketen zuivel", "Het programma versterkt de waardeketen van zuivel: kleine boeren "
         "en coöperaties worden verbonden met afnemers en verwerkers, met betere kwaliteit en "
         "toegang tot nieuwe markten voor hun producten.", ["31163"]),
    ],
)  # fmt: skip
def test_real_chain_work_is_found_in_six_languages(
    title: str, text: str, sectors: list[str]
) -> None:
    verdict, why = _verdict(text, sectors, title)
    assert verdict in ("yes", "possible"), why
    assert "chain mechanisms:" in why and "sentence" not in why  # the sentences follow
    c = classify(f"{title}\n{text}", sectors, title, ["110"], ["C01"], text)
    assert c.sentences and all(s.startswith('"') and "[" in s for s in c.sentences)
    assert c.confidence == pytest.approx(c.p_yes if verdict == "yes" else c.p_chain, abs=1e-3)


def test_evidence_names_the_sentence_and_the_discount() -> None:
    text = (
        "Our mission is broad. The fund invests in SMEs; jobs in the renewable energy value "
        "chain will grow. The project links cocoa cooperatives to exporters and buyers."
    )
    c = classify("Cocoa\n" + text, ["31193"], "Cocoa", ["110"], ["C01"], text)
    joined = " ".join(c.sentences)
    assert '"The project links cocoa cooperatives to exporters and buyers."' in joined
    assert "discounted, metaphor: renewable energy value chain" in joined


def test_scan_output_keeps_the_contract_and_adds_the_evidence(tmp_path: Path) -> None:
    from gvckit.cli import main

    body = ('<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity>'
            "<iati-identifier>XX-VC-1</iati-identifier><title><narrative>Cocoa value chain"
            "</narrative></title><description><narrative>The project links cocoa cooperatives to "
            "exporters and buyers, improves quality and post-harvest processing, and opens new "
            "markets for smallholder farmers in the region over four years.</narrative>"
            '</description><sector code="31193" vocabulary="1"/><default-finance-type code="110"/>'
            "</iati-activity></iati-activities>")  # fmt: skip
    src = tmp_path / "a.xml"
    src.write_text(body, encoding="utf-8")
    out = tmp_path / "activities.csv"
    assert main(["portfolio", "scan", str(src), "--db", f"sqlite:///{tmp_path / 'p.db'}",
                 "-o", str(out)]) == 0  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["iati_identifier"] == "XX-VC-1" and row["value_chain"] in ("yes", "possible")
    assert 'sentence: "The project links cocoa cooperatives' in row["value_chain_evidence"]


# -- the model file ------------------------------------------------------------------------------


def test_model_is_plain_json_and_bad_files_are_refused(tmp_path: Path) -> None:
    raw = json.loads(MODEL.read_text(encoding="utf-8"))
    assert set(raw) == {"chain", "yes", "chain_threshold", "yes_threshold", "meta"}
    assert read_model(MODEL) == shipped_model()
    bad = tmp_path / "m.json"
    bad.write_text('{"chain": {"coef": 3}}')
    with pytest.raises(InputError, match=r"m\.json"):
        read_model(bad)
    raw["chain"]["tf"] = "squared"
    bad.write_text(json.dumps(raw))
    with pytest.raises(InputError, match="tf must be one of"):
        read_model(bad)


def test_word_values_are_one_plus_log_count_by_hand() -> None:
    """The shipped scores value a word seen n times 1 + ln n: z recomputed from the JSON."""
    raw = json.loads(MODEL.read_text(encoding="utf-8"))
    assert raw["chain"]["tf"] == raw["yes"]["tf"] == "log"
    text = "Value chain work: buyers, buyers and buyers link farmers to buyers and processors."
    title = "Value chain work"
    c = classify(text, ["31120"], title, ["110"], ["C01"], text[len(title) + 2 :])
    low = text.lower()
    counts: dict[str, int] = {}
    for w in "".join(ch if "a" <= ch <= "z" else " " for ch in low).split():
        if len(w) >= 3:
            counts[w] = counts.get(w, 0) + 1
    assert counts["buyers"] == 4
    from gvckit.portfolio.classify import features

    x = features(text, ["31120"], title, ["110"], ["C01"], text[len(title) + 2 :])[0]
    m = raw["chain"]
    z = m["intercept"] + sum(m["coef"][k] * v for k, v in x.items())
    z += sum(m["words"].get(w, 0.0) * (1 + math.log(n)) for w, n in counts.items())
    a, b = m["platt"]
    assert c.p_chain == pytest.approx(1 / (1 + math.exp(-(a * z + b))), abs=1e-4)


# -- the agreement measures ----------------------------------------------------------------------


def test_wilson_interval_matches_the_formula_by_hand() -> None:
    lo, hi = wilson(5, 10)  # p = 0.5, z² = 3.8415: centre 0.5, half-width 0.26341
    assert (lo, hi) == pytest.approx((0.23659, 0.76341), abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(0, 10)[1] == pytest.approx(0.27753, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_kappa_matches_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    a = ["yes", "no", "no", "possible", "yes", "no", "possible", "no", "yes", "no"]
    b = ["yes", "no", "possible", "possible", "no", "no", "yes", "no", "yes", "possible"]
    w = [1.0, 2.0, 1.0, 3.0, 1.0, 1.0, 2.0, 5.0, 1.0, 1.0]
    assert cohen_kappa(a, b) == pytest.approx(metrics.cohen_kappa_score(a, b))
    assert cohen_kappa(a, b, w) == pytest.approx(metrics.cohen_kappa_score(a, b, sample_weight=w))


def test_weighted_ratio_by_hand() -> None:
    # stratum A: 100 in the population, 2 judged (weight 50); stratum B: 10, 1 judged (weight 10)
    items = [
        Judged("yes", "yes", "A"),
        Judged("no", "possible", "A"),
        Judged("possible", "yes", "B"),
    ]
    got = agreement(items, {"A": 100, "B": 10}, bootstrap=0)
    assert got.precision.value == pytest.approx(60 / 110)
    assert got.recall.value == pytest.approx(1.0)
    assert got.yes_precision.value == pytest.approx(50 / 60)
    plain = agreement([Judged("yes", "yes"), Judged("no", "yes"), Judged("no", "no"),
                       Judged("yes", "possible")], bootstrap=0)  # fmt: skip
    # one stratum, equal weights: the proportion 2/3 and its plain Wilson interval (n = 3)
    assert plain.precision.value == pytest.approx(2 / 3)
    assert (plain.precision.low, plain.precision.high) == pytest.approx(wilson(2, 3))
    with pytest.raises(InputError, match="population"):
        agreement(items, {"A": 1, "B": 10})
    with pytest.raises(InputError, match="yes/possible/no"):
        agreement([Judged("maybe", "yes")])


def test_transaction_finance_and_aid_types_reach_the_classifier(tmp_path: Path) -> None:
    body = ('<?xml version="1.0"?>\n<iati-activities version="2.03"><iati-activity>'
            "<iati-identifier>XX-LOAN-1</iati-identifier><title><narrative>SME competitiveness "
            "credit</narrative></title><description><narrative>Loans through partner banks to "
            "small and medium enterprises in industry and agribusiness to raise their "
            "competitiveness, productivity and exports over five years of operation.</narrative>"
            '</description><sector code="32130" vocabulary="1"/><transaction><transaction-type '
            'code="2"/><value value-date="2020-01-01">10</value><finance-type code="421"/>'
            '<aid-type code="A02"/></transaction></iati-activity></iati-activities>')  # fmt: skip
    src = tmp_path / "loan.xml"
    src.write_text(body, encoding="utf-8")
    (act,) = read_activities([src])
    assert (act.transaction_finance_types, act.transaction_aid_types) == (["421"], ["A02"])
    c = classify_activity(act)
    assert c.value_chain == "no"
    assert any("finance type 421" in d and "aid type A02" in d for d in c.discounts)


def test_kinds_of_matches_do_not_depend_on_the_cache() -> None:
    """The kind cache of :func:`scan` gives what the kinds' own patterns give, every time."""
    from gvckit.portfolio.classify import _KIND_RX, normalise, scan

    text = normalise("Linking coffee cooperatives to buyers; jobs in the energy value chain; "
                     "a credit line for SMEs and the health cluster; market access.")  # fmt: skip
    first, second = list(scan(text)), list(scan(text))
    assert first == second and len(first) >= 6
    for kind, word in first:
        assert kind == next(k for k, rx in _KIND_RX.items() if rx.fullmatch(word))


def test_labels_reproduce_the_issue_readers_figures_under_rules_v3() -> None:
    """The labels' rules are calibrated on the issue's reader (labels doc §12): judging the
    round-1 classifier with our v3 labels gives the reader's precision (0.66 [0.57, 0.74]) and
    its share of chain work among the productive-sector no (0.088 [0.04, 0.17]); the v2 labels
    do not (which is why v3 replaced them)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    corpus = shared_path("iati")
    out = subprocess.run(
        [sys.executable, str(root / "scripts" / "calibrate_vc_rules.py"), "--corpus", str(corpus)],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout  # fmt: skip
    got = {
        line.split(":")[0]: dict(re.findall(r"(\S+->\S+) ([\d.]+)", line))
        for line in out.splitlines()
    }
    assert 0.57 <= float(got["v3"]["flagged->pos"]) <= 0.74, out
    assert 0.04 <= float(got["v3"]["no-productive->pos"]) <= 0.17, out
    assert float(got["v2"]["flagged->pos"]) < 0.57, out
    assert float(got["v1"]["no-productive->pos"]) > 0.17, out
