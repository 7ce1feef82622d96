"""Is an IATI activity a value chain intervention? And if so, of which type?

The decision reads the activity's title and descriptions (all languages; patterns in English,
Spanish, French, Portuguese, German and Dutch) and its sectors, the way the IDB review of seed 000
(§6) screened projects "classified as value chain interventions in a broad sense":

- **chain terms** name the approach itself (value chain, *cadena de valor*, *filière*, *cadeia de
  valor*, *Wertschöpfungskette*, *waardeketen*, market systems / M4P, supplier development,
  productive linkages, clusters, outgrower and contract-farming schemes, inclusive business);
- **linkage terms** name links to markets and buyers (market access, market linkages, buyers,
  exporters, lead firms, agribusiness, agro-processing, certification and standards);
- **actor terms** name the target enterprises (SMEs, smallholders, cooperatives, producer
  organisations);
- **productive sectors** are the DAC purpose codes of agriculture, forestry, fishing, industry,
  trade policy, business services, tourism and rural development;
- **other contexts** are the uses that look alike but are not value chain work: health and
  humanitarian supply chains (vaccines, medicines, relief items), emergency relief, food aid.

``yes``: a chain term, with a productive sector, a linkage or an actor term, and not only in a
health or humanitarian context; ``possible``: a chain term alone, linkage terms together with
actor terms or a productive sector, or farmers (smallholders, cooperatives, producer
organisations) in agriculture, forestry, fishing or tourism; ``no`` otherwise. "Value chain" as
a metaphor (health, sanitation, innovation, data … value chains) is not counted, and a study or
assessment in the title is analysis, not an intervention. The confidence is a score in [0, 1] that
grows with the number of distinct kinds of evidence. The evidence lists what matched.

For ``yes``/``possible`` activities the typology of seed 000, Table 1 (as in
:mod:`gvckit.interventions.typology`) is read from the same text: pattern of engagement, fields of
action, upgrading objectives and beneficiaries, each with the words that decided it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["PRODUCTIVE_SECTORS", "Classification", "classify", "normalise"]


def normalise(text: str) -> str:
    """Lower case ASCII: accents stripped, other non-ASCII letters dropped (``Filière`` →
    ``filiere``); the patterns are written for this form."""
    lower = text.lower()
    if lower.isascii():
        return lower
    return unicodedata.normalize("NFKD", lower).encode("ascii", "ignore").decode("ascii")


def _rx(*patterns: str) -> re.Pattern[str]:
    """A pattern over :func:`normalise`-d text (lower case, no accents)."""
    return re.compile(r"\b(?:" + "|".join(patterns) + r")")


CHAIN = _rx(
    r"value[- ]chains?", r"value[- ]added chains?", r"cadenas? (?:de valor|productivas?)",
    r"chaines? de valeur", r"filieres?", r"cadeias? (?:de valor|produtivas?)",
    r"wertschopfungskett", r"waardeket", r"catena del valore", r"filiera",
    r"market systems?", r"m4p\b", r"making markets work", r"inclusive (?:business|market)",
    r"supplier development", r"desarrollo de proveedores", r"encadenamientos? productiv",
    r"productive (?:linkages|alliances)", r"alianzas? productiv", r"outgrower",
    r"contract farming", r"agricultura (?:por|de) contrato",
    r"(?:industrial|productive|business|economic|agro|agricultural|tourism|enterprise|export"
    r"|innovation|sme|dairy|coffee|textile|garment) clusters?",
    r"clusters? (?:development|initiative|approach|programme|program|of (?:smes|firms|producers))",
    r"clust(?:er|eres) (?:productiv|empresarial|d.entreprises)", r"conglomerados? productiv",
    r"agro-?food chains?", r"supply chains?",
    r"cadenas? de suministro",
    r"cadenas? de abastecimiento", r"chaines? d.approvisionnement", r"lieferkett",
)  # fmt: skip
LINKAGE = _rx(
    r"market (?:access|linkages?|integration|development|opportunit)", r"access to markets?",
    r"acceso a(?:l)? mercados?", r"acces aux marches", r"acesso (?:a|aos) mercados?",
    r"marktzugang", r"buyers?\b", r"compradores", r"acheteurs", r"exporters?", r"exportador",
    r"exportateur", r"export (?:promotion|market|diversification|competitiveness)",
    r"exportaci", r"lead firms?", r"empresas? (?:ancla|tractora|lider)", r"anchor firm",
    r"agribusiness", r"agro-?negocio", r"agronegocio", r"agro-?industr", r"agro-?process",
    r"agro-?alimentair", r"agroalimentari", r"processors?\b", r"transformation des produits",
    r"certification", r"certificacion", r"fair ?trade", r"comercio justo", r"commerce equitable",
    r"post-?harvest", r"poscosecha", r"post-?recolte", r"centros? de acopio",
    r"collection cent(?:er|re)s?", r"aggregation cent(?:er|re)s?",
    r"processing (?:cent(?:er|re)s?|facilit|plants?|units?)", r"value addition",
    r"agregacion de valor", r"valor agregado", r"marketing of",
    r"competitiveness", r"competitividad", r"competitivite", r"competitividade",
    r"wettbewerbsfahig", r"private sector development", r"business linkages",
    r"commerciali[sz]ation", r"comerciali[sz]aci", r"vermarktung",
)  # fmt: skip
ACTOR = _rx(
    r"smes?\b", r"msmes?\b", r"mses?\b", r"small and medium", r"micro,? small",
    r"pymes?\b", r"mipymes?\b", r"pequenas y medianas", r"pme\b", r"pmes\b", r"tpme",
    r"petites et moyennes", r"kmu\b", r"smallholders?", r"small-?scale (?:farmers|producers)",
    r"pequenos? (?:productores|produtores|agricultores)", r"petits? (?:producteurs|exploitants)",
    r"kleinbau", r"cooperatives?", r"cooperativas?", r"farmer(?:s'?)? organi[sz]ations?",
    r"producer organi[sz]ations?", r"organizaciones de productores",
    r"organisations? (?:de producteurs|paysannes)", r"entrepreneurs?", r"emprendedor",
)  # fmt: skip
OTHER_CONTEXT = _rx(
    r"vaccin", r"medicines?", r"medical (?:supplies|products|commodities)", r"pharmac",
    r"health (?:commodities|products|supply)", r"contracepti", r"cold chain", r"immuni[sz]ation",
    r"humanitarian", r"emergency (?:response|relief|assistance)", r"relief items", r"refugees?",
    r"food aid", r"food distribution", r"ayuda humanitaria", r"aide humanitaire",
    r"nothilfe", r"\bhiv\b", r"malaria", r"personal protective", r"\bppe\b",
)  # fmt: skip
#: "Value chain" used as a metaphor for something other than a product's chain.
METAPHOR = re.compile(
    r"\b(?:health|sanitation|innovation|foresight|energy|digital|knowledge|education|"
    r"humanitarian|medical|vaccine|data|research|policy|talent|financial|finance)"
    r"[- ](?:value|supply)[- ]chains?"
)
#: Farmers and their organisations among the target-enterprise terms.
FARMERS = re.compile(
    r"smallholder|small-?scale|pequenos|petits?|kleinbau|cooperativ|farmer|producer|"
    r"productores|paysann"
)
#: Agriculture, forestry, fishing and tourism: farmers there point to chain work.
_FARM_SECTORS = frozenset({"311", "312", "313", "332"})
#: Chain terms that also name health/humanitarian logistics; alone, they are not enough.
_LOGISTICS = re.compile(r"supply chain|suministro|abastecimiento|approvisionnement|lieferkett")

#: DAC 3-digit purpose categories of productive sectors (agriculture 311, forestry 312,
#: fishing 313, industry 321, mineral resources 322, trade policy 331, tourism 332, business
#: services 250, rural development 43040 via 430 multisector).
PRODUCTIVE_SECTORS = frozenset({"311", "312", "313", "321", "322", "331", "332", "250"})
_PRODUCTIVE_5 = frozenset({"43040", "24030", "24040"})

PATTERNS: dict[str, re.Pattern[str]] = {
    "lead_firm_driven": _rx(
        r"lead firms?", r"anchor (?:firm|compan)", r"empresas? (?:ancla|tractora|lider)",
        r"supplier development", r"desarrollo de proveedores", r"outgrower", r"contract farming",
        r"agricultura (?:por|de) contrato", r"buyers?\b", r"multinational", r"off-?takers?",
    ),
    "value_chain_linkages": _rx(
        r"cooperatives?", r"cooperativas?", r"producer organi[sz]ations?",
        r"farmer(?:s'?)? organi[sz]ations?", r"organizaciones de productores",
        r"organisations? (?:de producteurs|paysannes)", r"smallholders?", r"clusters?\b",
        r"associativ", r"asociatividad", r"linkages?", r"encadenamiento",
    ),
    "public_private_partnership": _rx(
        r"public[- ]private (?:partnership|alliance|dialogue)", r"\bppps?\b",
        r"alianzas? publico[- ]privad", r"partenariats? public[- ]prive",
        r"parcerias? publico[- ]privad", r"developpp", r"partnership with (?:the )?private",
    ),
}  # fmt: skip
FIELDS: dict[str, re.Pattern[str]] = {
    "business_linkages": _rx(
        r"linkages?", r"market access", r"access to markets?", r"acceso a mercados",
        r"acces aux marches", r"buyers?\b", r"contract farming", r"outgrower", r"encadenamiento",
    ),
    "services": _rx(
        r"training", r"capacitacion", r"formation", r"extension", r"technical assistance",
        r"asistencia tecnica", r"assistance technique", r"business development services",
        r"\bbds\b", r"finance", r"credit", r"credito", r"microfinan", r"advisory",
    ),
    "business_environment": _rx(
        r"policy", r"politica", r"politique", r"regulat", r"regula", r"standards?",
        r"normas?", r"normes?", r"infrastructure", r"infraestructura", r"trade facilitation",
        r"business environment", r"clima de negocios", r"climat des affaires", r"legal",
    ),
}  # fmt: skip
UPGRADING: dict[str, re.Pattern[str]] = {
    "process": _rx(
        r"productivity", r"productividad", r"productivite", r"efficien", r"eficien",
        r"good agricultural practices", r"\bgaps?\b", r"technolog", r"tecnolog", r"yields?",
        r"rendimiento", r"rendement",
    ),
    "product": _rx(
        r"quality", r"calidad", r"qualite", r"qualidade", r"certif", r"organic", r"organico",
        r"biologique", r"new products?", r"diversif", r"food safety", r"inocuidad",
    ),
    "functional": _rx(
        r"processing", r"procesamiento", r"transformation", r"transformacion", r"value addition",
        r"value-added", r"valor agregado", r"valeur ajoutee", r"branding", r"marketing",
    ),
    "channel": _rx(
        r"new markets?", r"nuevos mercados", r"nouveaux marches", r"export",
        r"international markets?",
    ),
    "supply_chain_linkages": _rx(
        r"suppliers?", r"proveedores", r"fournisseurs", r"linkages?", r"encadenamiento",
    ),
    "entry": _rx(
        r"market (?:access|entry)", r"access to markets?", r"acceso a mercados",
        r"acces aux marches", r"acesso a mercados", r"enter (?:the )?market",
    ),
}  # fmt: skip
BENEFICIARIES: dict[str, re.Pattern[str]] = {
    "women": _rx(r"women", r"mujeres", r"femmes", r"mulheres", r"frauen", r"gender", r"genero"),
    "youth": _rx(r"youth", r"young people", r"jovenes", r"jeunes", r"jovens", r"jugend"),
    "smallholders": _rx(r"smallholders?", r"small-?scale farmers", r"pequenos productores",
                        r"petits producteurs", r"pequenos agricultores", r"kleinbau"),
    "msmes": _rx(r"smes?\b", r"msmes?\b", r"pymes?\b", r"mipymes?\b", r"\bpme", r"small and medium",
                 r"micro,? small", r"kmu\b"),
    "indigenous": _rx(r"indigenous", r"indigenas?", r"autochtones", r"indigenas"),
    "poor": _rx(r"\bpoor", r"poverty", r"pobreza", r"pauvrete", r"pobres"),
}  # fmt: skip
#: What the IDB review asked of each project: does it analyse these? (seed 000, §6b)
ANALYSES: dict[str, re.Pattern[str]] = {
    "governance": _rx(r"governance of the (?:value )?chain", r"chain governance",
                      r"gobernanza", r"gouvernance", r"power (?:relations|asymmetr)"),
    "lead_firms": _rx(r"lead firms?", r"anchor (?:firm|compan)", r"empresas? (?:ancla|tractora)",
                      r"entreprises? (?:leader|pilote)"),
    "value_added": _rx(r"value added", r"value-added", r"valor agregado", r"valor anadido",
                       r"valeur ajoutee", r"margins?", r"margenes", r"rents?\b"),
}  # fmt: skip


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


def _hits(rx: re.Pattern[str], text: str, k: int = 3) -> list[str]:
    found: list[str] = []
    for m in rx.finditer(text):
        word = m.group(0)
        if word not in found:
            found.append(word)
            if len(found) == k:
                break
    return found


_GROUPS = {"chain": CHAIN, "linkage": LINKAGE, "actor": ACTOR, "other": OTHER_CONTEXT}
#: One pass over the text for the four kinds of evidence (named groups).
_SCREEN = re.compile(
    r"\b(?:" + "|".join(f"(?P<{k}>{rx.pattern[5:-1]})" for k, rx in _GROUPS.items()) + ")"
)


def _screen(norm: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {k: [] for k in _GROUPS}
    for m in _SCREEN.finditer(norm):
        kind = m.lastgroup or ""
        words = found[kind]
        if len(words) < 3 and m.group(0) not in words:
            words.append(m.group(0))
    return found


#: Titles of studies, assessments and research grants: analysis, not an intervention.
STUDY = _rx(
    r"assess", r"study", r"studies", r"research", r"survey", r"evaluation", r"diagnostic",
    r"estudio", r"investigacion", r"etude", r"recherche", r"estudo", r"pesquisa", r"studie",
    r"analysis", r"analisis", r"analyse",
)  # fmt: skip


def classify(text: str, sectors: Iterable[str], title: str = "") -> Classification:
    """Classify an activity from its text (title and descriptions), DAC sector codes and
    title (a study or assessment in the title is analysis, not an intervention)."""
    norm = normalise(text)
    metaphors = _hits(METAPHOR, norm)
    if metaphors:
        norm = METAPHOR.sub(" ", norm)
    found = _screen(norm)
    chain, linkage, actor, other = (found[k] for k in _GROUPS)
    codes = [c for c in sectors if c.isdigit()]
    productive = sorted({c for c in codes if c[:3] in PRODUCTIVE_SECTORS or c in _PRODUCTIVE_5})
    real_chain = [c for c in chain if not _LOGISTICS.search(c)]
    logistics_only = bool(chain) and not real_chain
    evidence: list[str] = []
    if chain:
        evidence.append("chain terms: " + ", ".join(chain))
    if linkage:
        evidence.append("market linkage terms: " + ", ".join(linkage))
    if actor:
        evidence.append("target enterprises: " + ", ".join(actor))
    if productive:
        evidence.append("productive sectors: " + ", ".join(productive[:5]))
    if other:
        evidence.append("other contexts: " + ", ".join(other))
    if metaphors:
        evidence.append("metaphors not counted: " + ", ".join(metaphors))
    support = sum(bool(x) for x in (linkage, actor, productive))
    farmers = any(FARMERS.search(a) for a in actor)
    farm_sector = any(c[:3] in _FARM_SECTORS for c in productive)
    strong_chain = bool(real_chain) or (logistics_only and not other and bool(productive))
    if strong_chain and support >= 1 and not (other and not productive and support < 2):
        verdict = "yes"
    elif (
        (strong_chain and not (other and support == 0))
        or (linkage and (actor or productive))
        or (farmers and farm_sector and not other)
    ):
        verdict = "possible"
    else:
        verdict = "no"
    study = _hits(STUDY, normalise(title), 1) if title else []
    if study and verdict != "no":
        evidence.append(f"a study, not an intervention: title says {study[0]!r}")
        verdict = "possible" if verdict == "yes" and CHAIN.search(normalise(title)) else "no"
    score = 0.35 * bool(real_chain) + 0.15 * bool(chain) + 0.15 * bool(linkage)
    score += 0.15 * bool(actor) + 0.2 * bool(productive) - 0.2 * bool(other)
    confidence = round(min(1.0, max(0.0, score if verdict != "no" else 1.0 - score)), 2)
    result = Classification(verdict, confidence, evidence)
    if verdict != "no":
        _typology(norm, result)
    return result


def _typology(norm: str, result: Classification) -> None:
    for target, table in (
        (result.pattern, PATTERNS),
        (result.fields, FIELDS),
        (result.upgrading, UPGRADING),
        (result.beneficiaries, BENEFICIARIES),
        (result.analyses, ANALYSES),
    ):
        for name, rx in table.items():
            words = _hits(rx, norm, 2)
            if words:
                target.append(name)
                result.typology_evidence.append(f"{name}: {', '.join(words)}")
