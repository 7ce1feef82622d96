"""Is an IATI activity a value chain intervention? And if so, of which type?

The decision follows the definition of seed 000 (§§4–6, Table 1): a value chain intervention in
a broad sense works on a named product or service chain, or on how producers and firms take part
in it, through a market-facing mechanism (links to buyers, processors, exporters or lead firms,
upgrading for a market, market-systems facilitation). It reads the title and descriptions (all
languages; patterns in English, Spanish, French, Portuguese, German, Dutch and Italian), the DAC
sectors, and the finance and aid types (IATI ``default-finance-type``, ``default-aid-type`` and
the transactions' types).

1. **Features** (:func:`features`): what the text says in one pass of :data:`SCREEN` — chain terms
   (value chain, *cadena de valor*, *filière*, *Wertschöpfungskette*, market systems, clusters,
   a named commodity's chain such as *cadenas de café*); chain mechanisms (buyers and anchor firms,
   offtake, outgrower and contract farming, supplier development, exporter links, aggregation,
   processing, market linkages); weak words (competitiveness, certification, market development);
   target enterprises; metaphors and labels ("health value chain", "jobs in the renewable-energy
   value chain", "Economic Recovery and Market Systems"); finance-instrument words (credit line,
   guarantee fund, private equity, budget support); humanitarian and health contexts — plus the
   sectors, the finance instrument from the codes, and how thin the text is.
2. **Scores** (:mod:`gvckit.portfolio.vcmodel`): two logistic models trained on labelled
   activities (``scripts/train_vc_model.py``) give P(chain work: a reader says yes or possible)
   and P(a reader says yes); the verdict is ``yes`` when P(yes) passes its threshold, else
   ``possible`` when P(chain work) passes its threshold, else ``no``.
3. **Rules that cap** the verdict, each stated in the evidence: a thin or title-only record is at
   most ``possible`` (a reader cannot tell more), and at least ``possible`` when its title names
   a chain (no metaphor, label, humanitarian context or study: the labelling rules' "a title
   that suggests chain work stays possible"); a loan, equity, guarantee or budget support
   (codes or words) without a described chain mechanism is at most ``possible``, and ``no`` when
   the chain is not named either, unless the model is sure of chain work (P(chain work) ≥
   :data:`SURE`: the readers whose labels trained it applied the same rule to the whole text,
   where the mechanism may be worded in ways the patterns do not know); a study or assessment
   in the title is analysis, at most ``possible``; metaphors and labels are not counted as
   chain terms.

The confidence is the model's calibrated probability that a reader agrees with the verdict
(P(yes) for ``yes``, P(chain work) for ``possible``, 1 − P(chain work) for ``no``). The evidence
lists the matched words, the decisive sentences and every discount.

For ``yes``/``possible`` activities the typology of seed 000, Table 1 is read from the same text
(:mod:`gvckit.portfolio.typology`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gvckit.portfolio.typology import normalise, typology

if TYPE_CHECKING:
    from gvckit.portfolio.iati import Activity

__all__ = [
    "FEATURES",
    "PRODUCTIVE_SECTORS",
    "SURE",
    "Classification",
    "classify",
    "classify_activity",
    "decide",
    "features",
    "normalise",
    "scan",
    "words",
]

_COMMODITY = (
    r"(?:coffee|cocoa|cacao|tea|dairy|milk|meat|beef|livestock|poultry|fish|fishery|fisheries|"
    r"aquaculture|rice|maize|corn|wheat|cereals?|pulses|beans|cashew|shea|sesame|cotton|"
    r"textiles?|garments?|apparel|leather|horticultur\w*|fruits?|vegetables?|mango|avocado|"
    r"banana|citrus|potato|cassava|vanilla|spices?|honey|wool|timber|wood|forestry|bamboo|"
    r"palm oil|oil ?seeds?|soy\w*|sugar|tourism|handicrafts?|agri-?food|agro-?food|food|"
    r"cafe|lacteos?|lactea|leite|lait|riz|arroz|ble|trigo|mais|frutas|fruits|legumes|"
    r"hortalizas|hortofruticol\w*|ganader\w*|carne|peche|pesca|textil|turismo|tourisme|"
    r"miel|mel|cacau|algodon|coton|caju|karite|bois|madera|madeira)"
)
_OF = r"(?:de (?:la |los |las )?|del |da |do |das |dos |du |de l.|des |della |dello |)"
#: One alternative per kind of evidence; the first to match at a position wins, so the longer
#: readings (metaphors, labels, finance words) come before the chain terms they contain.
_KINDS: dict[str, tuple[str, ...]] = {
    "metaphor": (
        r"(?:health|sanitation|innovation|foresight|energy|renewable[- ]energy|solar|digital|"
        r"knowledge|education|humanitarian|medical|vaccine|data|research|policy|talent|"
        r"financial|finance|plastics?|waste|recycling|information|evidence|skills|nutrition|"
        r"cold|pharmaceutical|medicines?|ppe)[- ](?:value|supply)[- ]chains?",
        r"cadenas? de (?:valor|suministro) (?:de la |del )?(?:salud|energia|conocimiento)",
        r"chaines? (?:de valeur|d.approvisionnement) (?:de la |du |des )?(?:sante|energie)",
        r"economic recovery and market systems", r"\berms\b", r"food security cluster",
        r"(?:health|wash|shelter|protection|education|logistics|nutrition) cluster",
        r"filieres? (?:scolaires?|d.enseignement|de formation|professionnelles?|sti)",
    ),
    "label": (
        r"(?:jobs|employment|emplois?|empleos?) (?:\w+ ){0,3}(?:value|supply)[- ]chains?",
        r"(?:across|along|throughout) (?:the |its |their |our )?(?:\w+ )?(?:value|supply)"
        r"[- ]chains?",
        r"(?:its|their|our|company.s|group.s) (?:\w+ )?(?:value|supply)[- ]chains?",
        r"(?:global|international) (?:value|supply)[- ]chains? (?:disruption|shock)",
        r"life-?cycle", r"impact (?:investing|investment|fund)",
    ),
    "finword": (
        r"credit lines?", r"lines? of credit", r"lineas? de credito", r"lignes? de credit",
        r"linhas? de credito", r"guarantee (?:fund|facilit|scheme|program)",
        r"fondos? de garantia", r"fonds de garantie", r"on-?lend", r"financial intermediar",
        r"intermediarios financieros", r"private equity", r"equity (?:fund|investment|stake)",
        r"capital de riesgo", r"venture capital", r"fondo de inversion", r"fonds d.investissement",
        r"budget(?:ary)? support", r"sector reform contract", r"apoyo presupuestari",
        r"appui budgetaire", r"apoio orcamental", r"budgethilfe", r"begrotingssteun",
        r"working capital", r"capital de trabajo", r"fonds de roulement", r"trade finance",
        r"revolving", r"rotativ", r"senior loan", r"syndicated", r"bond issu",
        r"microfinan", r"microcredit", r"microcredito",
    ),
    "other": (
        r"vaccin", r"medicines?", r"medical (?:supplies|products|commodities)", r"pharmac",
        r"health (?:commodities|products|supply)", r"contracepti", r"immuni[sz]ation",
        r"humanitarian", r"emergency (?:response|relief|assistance)", r"relief items",
        r"refugees?", r"displaced", r"food aid", r"food distribution", r"ayuda humanitaria",
        r"aide humanitaire", r"nothilfe", r"\bhiv\b", r"malaria", r"personal protective",
        r"\bppe\b", r"cash transfers?", r"vouchers?", r"distribution of (?:seeds|inputs|food)",
    ),
    "mechanism": (
        r"lead firms?", r"anchor (?:firms?|compan\w*|buyers?|farms?|investors?)",
        r"empresas? (?:ancla|tractoras?|lideres?)", r"entreprises? (?:leaders?|pilotes?)",
        r"off-?take\w*", r"outgrowers?", r"out-?grower", r"contract farming",
        r"agricultura (?:por|de) contrato", r"agriculture contractuelle", r"supplier development",
        r"desarrollo de proveedores", r"supplier programme", r"local sourcing", r"sourcing from",
        r"abastecimiento local", r"encadenamientos?", r"productive (?:linkages|alliances)",
        r"alianzas? productiv\w*", r"business linkages", r"market linkages?",
        r"linkages? (?:to|with) (?:markets?|buyers|processors|exporters|private|the private)",
        r"link(?:s|ing|ed)? (?:\w+ ){0,4}(?:to|with) (?:\w+ ){0,2}(?:markets?|buyers|processors|"
        r"exporters|off-?takers|traders|agro-?processors|companies|value chains?)",
        r"connect(?:s|ing|ed)? (?:\w+ ){0,4}(?:to|with) (?:\w+ ){0,2}(?:markets?|buyers)",
        r"vincula\w* (?:\w+ ){0,4}(?:con|a) (?:\w+ ){0,2}(?:mercados?|compradores|empresas)",
        r"articula\w* (?:\w+ ){0,4}(?:con|a) (?:\w+ ){0,2}(?:mercados?|compradores|empresas)",
        r"mise en relation", r"relier (?:\w+ ){0,3}aux? (?:marches|acheteurs)",
        r"buyers?\b", r"compradores", r"acheteurs", r"abnehmer", r"afnemers?", r"aggregators?",
        r"verwerkers?", r"verarbeit\w*", r"transformateurs?", r"exporteur\w*",
        r"nieuwe markten", r"neue(?:n)? markte", r"toegang tot (?:de )?markt\w*",
        r"aggregation", r"centros? de acopio", r"collection (?:cent(?:er|re)s?|points?)",
        r"bulking", r"agro-?process\w*", r"agro-?industr\w*", r"agroindustr\w*",
        r"agro-?alimentair\w*", r"agroalimentari\w*", r"processors?\b",
        r"processing (?:cent(?:er|re)s?|facilit\w*|plants?|units?|capacit\w*)",
        r"transformation (?:des|de la|du) (?:produits?|lait|riz|cafe|cacao|noix)",
        r"procesamiento", r"post-?harvest", r"poscosecha", r"post-?recolte",
        r"value addition", r"adding value", r"add value", r"agregacion de valor",
        r"valor agregado", r"valeur ajoutee", r"agregar valor", r"toegevoegde waarde",
        r"export(?:ers?|ing)? (?:\w+ ){0,2}(?:markets?|links?|linkages|consortia|consortium)",
        r"exporters?", r"exportadores?", r"exportateurs?", r"new markets?", r"nuevos mercados",
        r"nouveaux marches", r"novos mercados", r"cadenas? cortas", r"circuitos? cortos?",
        r"circuits? courts?", r"fair ?trade", r"comercio justo", r"commerce equitable",
        r"inclusive (?:business|market)\w*", r"traders?\b", r"wholesal\w*", r"retailers?",
        r"supermarkets?", r"supply contracts?", r"purchase agreements?", r"contratos? de compra",
    ),
    "chain": (
        r"value[- ]chains?", r"value[- ]added chains?", r"cadenas? (?:de valor|productivas?)",
        r"chaines? de (?:la )?valeur", r"filieres?", r"cadeias? (?:de valor|produtivas?)",
        r"wertschopfungskett\w*", r"waardeket\w*", r"catena del valore", r"catene del valore",
        r"filiera", r"filiere", r"market systems?", r"systemes? de marche", r"m4p\b",
        r"making markets work",
        r"supplier development", r"productive (?:linkages|alliances)",
        r"(?:industrial|productive|business|economic|agro|agricultural|tourism|enterprise|"
        r"export|innovation|sme|dairy|coffee|textile|garment) clusters?",
        r"clusters? (?:development|initiative|approach|programme|program|of (?:smes|firms|"
        r"producers))", r"clusters? (?:productiv|empresarial|d.entreprises)\w*",
        r"clusteres (?:productiv|empresarial)\w*", r"conglomerados? productiv\w*",
        r"(?:agro-?food|agrifood|food|commodity|product) chains?",
        r"supply chains?", r"cadenas? de (?:suministro|abastecimiento)",
        r"chaines? d.approvisionnement", r"lieferkett\w*", r"cadeias? de abastecimento",
        r"(?:cadenas?|chaines?|cadeias?|catene|catena) " + _OF + _COMMODITY,
        _COMMODITY + r" (?:value |supply |market |commodity )?chains?",
    ),
    "weak": (
        r"market (?:access|integration|development|opportunit\w*)", r"access to markets?",
        r"acceso a(?:l)? mercados?", r"acces aux marches", r"acesso (?:a|aos) mercados?",
        r"marktzugang", r"export (?:promotion|diversification|competitiveness)",
        r"exportaci\w*", r"competitiveness", r"competitividad", r"competitivite",
        r"competitividade", r"wettbewerbsfahig\w*", r"private sector development",
        r"certification", r"certificacion", r"certificacao", r"commerciali[sz]ation",
        r"comerciali[sz]aci\w*", r"vermarktung", r"marketing", r"mercadeo", r"agribusiness\w*",
        r"agro-?negocios?", r"agronegocios?", r"entrepreneurship", r"emprendimiento",
        r"business development services", r"productivity", r"productividad", r"quality",
        r"calidad", r"qualite", r"standards?\b", r"normas? tecnicas",
    ),
    "actor": (
        r"smes?\b", r"msmes?\b", r"mses?\b", r"small and medium", r"micro,? small",
        r"pymes?\b", r"mipymes?\b", r"pequenas y medianas", r"pme\b", r"pmes\b", r"tpme",
        r"petites et moyennes", r"kmu\b", r"smallholders?", r"small-?scale (?:farmers|producers)",
        r"pequenos? (?:productores|produtores|agricultores)",
        r"petits? (?:producteurs|exploitants)",
        r"kleinbau\w*", r"cooperatives?", r"cooperativas?", r"farmer(?:s'?)? organi[sz]ations?",
        r"producer organi[sz]ations?", r"organizaciones de productores",
        r"organisations? (?:de producteurs|paysannes)", r"entrepreneurs?", r"emprendedor\w*",
        r"farmers?\b", r"productores", r"producteurs", r"agricultores", r"agriculteurs",
        r"produtores", r"artisans?", r"artesanos", r"fishers|fishermen|pescadores|pecheurs",
        r"pastoralists?", r"agro-?pasteurs?", r"cooperaties?", r"kooperativen", r"boeren",
        r"bauern", r"genossenschaft\w*",
    ),
}  # fmt: skip


def _expand(alt: str) -> list[str]:
    """``(?:a|b)rest`` → ``arest``, ``brest`` (a leading group of plain alternatives)."""
    if not alt.startswith("(?:"):
        return [alt]
    depth, end = 0, -1
    for i, ch in enumerate(alt):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            end = i
            break
    inner, rest = alt[3:end], alt[end + 1 :]
    if "(" in inner or rest[:1] in ("?", "*", "+", "{"):
        return [alt]
    return [x for part in inner.split("|") for x in _expand(part + rest)]


def _trie(alternatives: Sequence[str]) -> str:
    """One alternation, bucketed by first letter so that the regex engine tries only the
    alternatives that can start at a position (a literal first letter is checked without
    recursion); order within a bucket is kept, alternatives without a plain first letter come
    first."""
    buckets: dict[str, list[str]] = {}
    rest: list[str] = []
    for alt in (x for a in alternatives for x in _expand(a)):
        alt = alt.removeprefix("\\b")
        if alt[:1].isalpha() and alt[1:2] not in ("?", "*", "+", "{"):
            buckets.setdefault(alt[0], []).append(alt[1:])
        else:
            rest.append(alt)
    parts = rest + [f"{c}(?:{'|'.join(tails)})" for c, tails in sorted(buckets.items())]
    return "|".join(parts)


#: All the kinds in one pattern; the kind of a match is the first in :data:`_KINDS` whose
#: pattern matches it whole (:func:`scan`).
SCREEN = re.compile(r"\b(?:" + _trie([a for v in _KINDS.values() for a in v]) + ")")
_KIND_RX = {k: re.compile("(?:" + "|".join(v) + ")") for k, v in _KINDS.items()}


#: The kind of each matched string seen so far (the same words recur across activities);
#: bounded at :data:`_KIND_CACHE_MAX` entries.
_KIND_CACHE: dict[str, str] = {}
_KIND_CACHE_MAX = 50_000


def scan(norm: str) -> Iterator[tuple[str, str]]:
    """(kind, words) of every match of :data:`SCREEN` in a normalised text."""
    cache = _KIND_CACHE
    for m in SCREEN.finditer(norm):
        word = m.group(0)
        kind = cache.get(word)
        if kind is None:
            kind = next((k for k, rx in _KIND_RX.items() if rx.fullmatch(word)), "")
            if len(cache) < _KIND_CACHE_MAX:
                cache[word] = kind
        if kind:
            yield kind, word


#: A word of the normalised text for the model's vocabulary: three or more letters.
WORD = re.compile(r"[a-z]{3,}")


def words(norm: str) -> dict[str, int]:
    """The words (:data:`WORD`) of a normalised text and how many times each is seen."""
    return Counter(WORD.findall(norm))


#: Chain terms that also name health or humanitarian logistics; alone they are weak.
_LOGISTICS = re.compile(r"supply chain|suministro|abastecimiento|approvisionnement|lieferkett")
_BUDGET = re.compile(r"budget|presupuest|orcamental|reform contract")
#: Finance words that name an instrument (not finance as one service among others).
_INSTRUMENT = re.compile(
    r"credit|credito|lend|guarantee|garantia|garantie|equity|capital|"
    r"intermediar|trade finance|revolving|rotativ|senior|syndicated|bond"
)
#: Mechanisms that describe chain work (links between actors), as opposed to naming actors.
_LINKING = re.compile(
    r"lead|anchor|ancla|tractora|leader|pilote|off-?take|outgrower|out-?grower|contract|contrato|"
    r"contractuelle|supplier|proveedores|sourcing|abastecimiento|encadenamiento|linkage|alianza|"
    r"link|connect|vincula|articula|relation|relier|buyer|comprador|acheteur|abnehmer|aggregat|"
    r"acopio|collection|bulking|cortas|cortos|courts|fair ?trade|justo|equitable|inclusive|"
    r"purchase|compra"
)
#: Chain terms that name the chain of a product (commodity or agri-food).
_NAMED = re.compile(_COMMODITY)
#: Titles of studies, assessments and research grants: analysis, not an intervention.
STUDY = re.compile(
    r"\b(?:assess|study|studies|research|survey|evaluation|diagnostic|estudio|investigacion|"
    r"etude|recherche|estudo|pesquisa|studie|analysis|analisis|analyse)"
)

#: DAC 3-digit purpose categories of productive sectors (agriculture 311, forestry 312,
#: fishing 313, industry 321, mineral resources 322, trade policy 331, tourism 332, business
#: services 250, rural development 43040, value chain finance 24030/24040 of banking).
PRODUCTIVE_SECTORS = frozenset({"311", "312", "313", "321", "322", "331", "332", "250"})
_PRODUCTIVE_5 = frozenset({"43040", "24030", "24040"})
_FARM_SECTORS = frozenset({"311", "312", "313", "332"})
#: Social, governance and humanitarian DAC categories (education to government, emergency).
_SOCIAL = ("11", "12", "13", "14", "15", "16", "52", "72", "73", "74", "91", "93")

#: Words below this many in the descriptions make a thin record (a reader can only say
#: "possible").
THIN_WORDS = 25

#: Names of the features, in the order of :func:`features` (the model's coefficients follow it).
FEATURES = (
    "chain", "chain_many", "chain_title", "chain_named", "chain_logistics_only",
    "mechanism", "mechanism_many", "mechanism_title", "weak", "weak_many", "actor", "farmers",
    "productive", "farm_sector", "social_sector", "no_sector", "metaphor", "label", "other",
    "finance_code", "budget_support", "finance_words", "thin", "no_description", "study", "linking",
    "chain_and_mechanism", "chain_and_actor", "mechanism_and_actor", "weak_and_actor",
    "productive_and_actor",
)  # fmt: skip


@dataclass
class Classification:
    """The verdict on one activity, with what decided it."""

    value_chain: str
    confidence: float
    evidence: list[str]
    pattern: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    upgrading: list[str] = field(default_factory=list)
    beneficiaries: list[str] = field(default_factory=list)
    analyses: list[str] = field(default_factory=list)
    typology_evidence: list[str] = field(default_factory=list)
    #: The decisive sentences, each with the words that matched in it.
    sentences: list[str] = field(default_factory=list)
    #: Why strong terms were discounted (metaphor, label, finance instrument, thin text, study).
    discounts: list[str] = field(default_factory=list)
    #: P(a reader says yes or possible) and P(a reader says yes), from the model.
    p_chain: float = 0.0
    p_yes: float = 0.0


@dataclass
class Screen:
    """What the text of one activity says: matched words by kind, with counts."""

    words: dict[str, list[str]]
    counts: dict[str, int]
    title_kinds: set[str]


def screen(norm: str, norm_title: str) -> Screen:
    """One pass of :data:`SCREEN` over the normalised text (and the title)."""
    words: dict[str, list[str]] = {k: [] for k in _KINDS}
    counts = dict.fromkeys(_KINDS, 0)
    for kind, word in scan(norm):
        counts[kind] += 1
        if len(words[kind]) < 4 and word not in words[kind]:
            words[kind].append(word)
    title_kinds = {kind for kind, _ in scan(norm_title)} if norm_title else set()
    return Screen(words, counts, title_kinds)


def _finance_code(finance_types: Iterable[str]) -> str:
    """The first loan (4xx), equity (5xx), guarantee (7xx, 1100), bond (8xx, 9xx) or export
    credit code among ``finance_types``, else ''."""
    for code in finance_types:
        if code.isdigit() and (400 <= int(code) < 1000 or code == "1100"):
            return code
    return ""


def features(
    text: str,
    sectors: Iterable[str],
    title: str = "",
    finance_types: Sequence[str] = (),
    aid_types: Sequence[str] = (),
    body: str | None = None,
    norm: str | None = None,
) -> tuple[dict[str, float], Screen, dict[str, str]]:
    """The features of one activity (names as in :data:`FEATURES`, values 0/1), what matched,
    and the facts behind the discounts (finance code, budget support code, thin text);
    ``norm`` is ``normalise(text)`` when already known."""
    norm = normalise(text) if norm is None else norm
    ntitle = normalise(title)
    found = screen(norm, ntitle)
    w, n = found.words, found.counts
    codes = [c for c in sectors if c.isdigit()]
    productive = any(_productive(c) for c in codes)
    social = bool(codes) and all(c.startswith(_SOCIAL) for c in codes)
    chain = [c for c in w["chain"] if not _LOGISTICS.search(c)]
    named = any(_NAMED.search(c) for c in w["chain"])
    farmers = any(re.search(r"smallholder|small-?scale|pequen|petits?|kleinbau|cooperativ|farmer"
                            r"|producer|productor|paysann|agricult|produtor", a)
                  for a in w["actor"])  # fmt: skip
    description = body if body is not None else text.replace(title, " ", 1) if title else text
    n_words = len(description.split())
    fin = _finance_code(finance_types)
    budget = next((a for a in aid_types if a.upper() in ("A01", "A02")), "")
    banking = next((c for c in codes if c.startswith("240") and c not in _PRODUCTIVE_5), "")
    facts = {"finance_code": fin, "budget_support": budget, "words": str(n_words),
             "banking": banking}  # fmt: skip
    f = {
        "chain": bool(chain),
        "chain_many": n["chain"] >= 3 and bool(chain),
        "chain_title": "chain" in found.title_kinds,
        "chain_named": named,
        "chain_logistics_only": bool(w["chain"]) and not chain,
        "mechanism": n["mechanism"] >= 1,
        "mechanism_many": len(w["mechanism"]) >= 3,
        "mechanism_title": "mechanism" in found.title_kinds,
        "weak": n["weak"] >= 1,
        "weak_many": len(w["weak"]) >= 3,
        "actor": bool(w["actor"]),
        "farmers": farmers,
        "productive": productive,
        "farm_sector": any(c[:3] in _FARM_SECTORS for c in codes),
        "social_sector": social,
        "no_sector": not codes,
        "metaphor": n["metaphor"] >= 1,
        "label": n["label"] >= 1,
        "other": n["other"] >= 1,
        "finance_code": bool(fin)
        or bool(banking)
        or any(_INSTRUMENT.search(x) for x in w["finword"]),
        "linking": any(_LINKING.search(x) for x in w["mechanism"]),
        "budget_support": bool(budget) or bool(_BUDGET.search(" ".join(w["finword"]))),
        "finance_words": n["finword"] >= 1,
        "thin": n_words < THIN_WORDS,
        "no_description": n_words == 0,
        "study": bool(STUDY.search(ntitle)),
    }
    f["chain_and_mechanism"] = f["chain"] and f["mechanism"]
    f["chain_and_actor"] = f["chain"] and f["actor"]
    f["mechanism_and_actor"] = f["mechanism"] and f["actor"]
    f["weak_and_actor"] = f["weak"] and f["actor"]
    f["productive_and_actor"] = f["productive"] and f["actor"]
    return {k: float(f[k]) for k in FEATURES}, found, facts


def classify(
    text: str,
    sectors: Iterable[str],
    title: str = "",
    finance_types: Sequence[str] = (),
    aid_types: Sequence[str] = (),
    body: str | None = None,
) -> Classification:
    """Classify an activity from its text (title and descriptions), DAC sector codes, title,
    finance and aid type codes (activity defaults and transactions) and descriptions
    (``body``; default: the text without the title)."""
    from gvckit.portfolio.evidence import decisive_sentences
    from gvckit.portfolio.vcmodel import shipped_model

    norm = normalise(text)
    feats, found, facts = features(text, sectors, title, finance_types, aid_types, body, norm)
    model = shipped_model()
    p_chain, p_yes = model.probabilities(feats, words(norm))
    verdict = decide(p_chain, p_yes, feats, model.chain_threshold, model.yes_threshold)
    discounts = _discounts(feats, found, facts)
    confidence = p_yes if verdict == "yes" else p_chain if verdict == "possible" else 1 - p_chain
    result = Classification(verdict, round(confidence, 3), _evidence(found, sectors),
                            discounts=discounts, p_chain=round(p_chain, 4),
                            p_yes=round(p_yes, 4))  # fmt: skip
    if verdict != "no":
        typology(norm, result)
    strong = feats["chain"] or feats["mechanism"]
    if verdict != "no" or feats["metaphor"] or feats["label"] or (feats["finance_code"] and strong):
        result.sentences = decisive_sentences(text)
    return result


def classify_activity(act: Activity) -> Classification:
    """:func:`classify` with an activity's text, DAC sectors, title, finance and aid types."""
    dac = [code for code, vocab, _ in act.sectors if vocab in ("1", "2")]
    finance = [act.finance_type, *act.transaction_finance_types]
    aid = [act.aid_type, *act.transaction_aid_types]
    body = "\n".join(t for _, _, t in act.descriptions)
    return classify(act.text, dac, act.title, [c for c in finance if c], [a for a in aid if a],
                    body)  # fmt: skip


def decide(p_chain: float, p_yes: float, f: dict[str, float], chain_threshold: float,
           yes_threshold: float) -> str:  # fmt: skip
    """The verdict from the two probabilities, their thresholds and the capping rules."""
    verdict = (
        "yes" if p_yes >= yes_threshold else "possible" if p_chain >= chain_threshold else "no"
    )
    return _capped(verdict, f, p_chain)


#: P(chain work) at which a finance instrument with no chain term and no described mechanism is
#: still ``possible`` (see the module docstring). Checked by cross-validation: neutral out of
#: sample (recall at precision 0.85: 0.707 against 0.712 with the plain rule, 5 folds x 2 seeds),
#: while the plain rule overrode 44 of the readers' yes/possible labels on their own activities
#: (labels doc §12).
SURE = 0.8


def _titled_chain(f: dict[str, float]) -> bool:
    """A thin record whose title names a chain, with no metaphor, label, humanitarian context or
    study: at least ``possible`` (see the module docstring)."""
    return bool(
        f["thin"]
        and f["chain_title"]
        and f["chain"]
        and not (f["metaphor"] or f["label"] or f["other"] or f["study"])
    )


def _capped(verdict: str, f: dict[str, float], p_chain: float = 0.0) -> str:
    """The verdict after the rules that cap it (see the module docstring)."""
    if verdict == "no" and _titled_chain(f):
        verdict = "possible"
    instrument = f["finance_code"] or f["budget_support"]
    if instrument and not f["linking"]:
        if not f["chain"] and p_chain < SURE:
            return "no"
        verdict = "possible" if verdict == "yes" else verdict
    if verdict == "yes" and (f["thin"] or f["study"]):
        return "possible"
    return verdict


def _discounts(f: dict[str, float], found: Screen, facts: dict[str, str]) -> list[str]:
    out = []
    w = found.words
    if f["metaphor"]:
        out.append("metaphor or sector name, not counted: " + ", ".join(w["metaphor"]))
    if f["label"]:
        out.append("value chain as a label, not the work: " + ", ".join(w["label"]))
    if f["finance_code"] or f["budget_support"]:
        what = []
        if facts["finance_code"]:
            what.append(f"finance type {facts['finance_code']}")
        if facts["banking"]:
            what.append(f"financial-sector code {facts['banking']}")
        if f["finance_code"] and not facts["finance_code"] and not facts["banking"]:
            what.append("finance instrument in the text: " + ", ".join(w["finword"]))
        if facts["budget_support"]:
            what.append(f"aid type {facts['budget_support']} (budget support)")
        if f["budget_support"] and not facts["budget_support"]:
            what.append("budget support in the text")
        tail = (
            "with a described chain mechanism"
            if f["linking"]
            else (
                "without a described chain mechanism: at most possible, no without a named chain"
                f" unless P(chain work) ≥ {SURE}"
            )
        )
        out.append(f"finance instrument ({', '.join(what)}) {tail}")
    elif f["finance_words"]:
        out.append("finance words: " + ", ".join(w["finword"]))
    if f["thin"]:
        out.append(f"thin text ({facts['words']} words of description): at most possible"
                   + (", at least possible with a chain named in the title"
                      if _titled_chain(f) else ""))  # fmt: skip
    if f["study"]:
        out.append("a study or assessment in the title: analysis, at most possible")
    if f["chain_logistics_only"]:
        out.append("supply chain only, which also names logistics: weak")
    if f["other"]:
        out.append("humanitarian or health context: " + ", ".join(w["other"]))
    return out


def _productive(code: str) -> bool:
    return code.isdigit() and (code[:3] in PRODUCTIVE_SECTORS or code in _PRODUCTIVE_5)


def _evidence(found: Screen, sectors: Iterable[str]) -> list[str]:
    w = found.words
    out = []
    for kind, name in (("chain", "chain terms"), ("mechanism", "chain mechanisms"),
                       ("weak", "weak market terms"), ("actor", "target enterprises")):  # fmt: skip
        if w[kind]:
            out.append(f"{name}: " + ", ".join(w[kind]))
    productive = sorted(c for c in set(sectors) if _productive(c))
    if productive:
        out.append("productive sectors: " + ", ".join(productive[:5]))
    return out
