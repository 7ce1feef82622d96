"""The typology of value chain interventions (seed 000, Table 1) read from an activity's text.

Pattern of engagement (lead firm, value chain linkages, public-private partnership), fields of
action (business linkages, services, business environment), upgrading objectives (process, product,
functional, channel, supply chain linkages, entry), beneficiaries, and the review's questions
(seed 000, §6b: does the project analyse governance, lead firms, value added?), each with the
words that decided it. Patterns are written for :func:`normalise`-d text (lower case, no accents).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

__all__ = ["ANALYSES", "BENEFICIARIES", "FIELDS", "PATTERNS", "UPGRADING", "normalise", "typology"]


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


def _hits(rx: re.Pattern[str], text: str, k: int = 3) -> list[str]:
    found: list[str] = []
    for m in rx.finditer(text):
        word = m.group(0)
        if word not in found:
            found.append(word)
            if len(found) == k:
                break
    return found


class _Result(Protocol):
    pattern: list[str]
    fields: list[str]
    upgrading: list[str]
    beneficiaries: list[str]
    analyses: list[str]
    typology_evidence: list[str]


def typology(norm: str, result: _Result) -> None:
    """Fill the typology fields of ``result`` from the normalised text ``norm``."""
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
