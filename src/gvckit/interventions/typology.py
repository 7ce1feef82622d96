"""Value chain interventions classified by a shared typology, with controlled vocabularies.

The dimensions are those of the IDB technical note on GVC interventions (gvckit seed 000, §5,
Table 1 and Figure 1): beneficiaries (sector/product, geography, social target, scope), mediators
and funders, the pattern of engagement (lead firm / top-down, value chain linkages /
bottom-up, public–private partnership / horizontal; Humphrey & Navas-Alemán 2010), fields of
action with the GIZ ValueLinks sub-fields (GIZ 2008), upgrading objectives (supply-chain
linkages, process, product, functional, channel, and entry), value chain objectives (strengthen
the weakest link, strengthen linkages, create new links, work with the strongest link) and
development objectives (poverty, decent work, gender, environment). A design section holds what
the design audit (:mod:`gvckit.interventions.audit`) looks for.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field as PydField
from pydantic import field_validator, model_validator

from gvckit.chain.model import Source
from gvckit.documents import Frozen as _Frozen
from gvckit.documents import read_document, validate
from gvckit.errors import InputError
from gvckit.interventions.approaches import approaches

__all__ = [
    "SUBFIELD_OF",
    "Actor",
    "Budget",
    "ChainObjective",
    "Delivery",
    "Design",
    "DevelopmentObjective",
    "Field",
    "Intervention",
    "Pattern",
    "Scope",
    "SocialTarget",
    "Subfield",
    "UpgradingObjective",
    "read_intervention",
]


class Scope(StrEnum):
    LOCAL = "local"
    NATIONAL = "national"
    REGIONAL = "regional"
    GLOBAL = "global"


class SocialTarget(StrEnum):
    SMALLHOLDERS = "smallholders"
    MSMES = "msmes"
    WORKERS = "workers"
    WOMEN = "women"
    YOUTH = "youth"
    INDIGENOUS = "indigenous"
    POOR = "poor"


class Actor(StrEnum):
    """Mediators and funders (Table 1, dimension 2)."""

    GOVERNMENT = "government"
    PRIVATE_SECTOR = "private_sector"
    CSO_NGO = "cso_ngo"
    DONOR = "donor"


class Pattern(StrEnum):
    LEAD_FIRM = "lead_firm"  # chain leader, top-down
    VALUE_CHAIN_LINKAGES = "value_chain_linkages"  # bottom-up
    PPP = "ppp"  # horizontal: service providers and support institutions


class Field(StrEnum):
    BUSINESS_LINKAGES = "business_linkages"
    SERVICES = "services"
    BUSINESS_ENVIRONMENT = "business_environment"


class Subfield(StrEnum):
    """GIZ ValueLinks (2008) sub-fields of the three fields of action."""

    PRIVATE_LINKAGES = "private_linkages_and_associations"
    PPP = "public_private_partnerships"
    SERVICES_FINANCE = "services_and_finance"
    STANDARDS = "standards"
    BUSINESS_ENVIRONMENT = "business_environment_of_chains"
    IMPACT_MONITORING = "impact_monitoring"


SUBFIELD_OF: dict[Subfield, Field] = {
    Subfield.PRIVATE_LINKAGES: Field.BUSINESS_LINKAGES,
    Subfield.PPP: Field.BUSINESS_LINKAGES,
    Subfield.SERVICES_FINANCE: Field.SERVICES,
    Subfield.STANDARDS: Field.BUSINESS_ENVIRONMENT,
    Subfield.BUSINESS_ENVIRONMENT: Field.BUSINESS_ENVIRONMENT,
    Subfield.IMPACT_MONITORING: Field.BUSINESS_ENVIRONMENT,
}


class UpgradingObjective(StrEnum):
    SUPPLY_CHAIN_LINKAGES = "supply_chain_linkages"
    PROCESS = "process"
    PRODUCT = "product"
    FUNCTIONAL = "functional"
    CHANNEL = "channel"
    ENTRY = "entry"


class ChainObjective(StrEnum):
    WEAKEST_LINK = "weakest_link"
    LINKAGES = "linkages"
    NEW_LINKS = "new_links"
    STRONGEST_LINK = "strongest_link"


class DevelopmentObjective(StrEnum):
    POVERTY = "poverty"
    DECENT_WORK = "decent_work"
    GENDER = "gender"
    ENVIRONMENT = "environment"


class Delivery(StrEnum):
    FACILITATION = "facilitation"  # the programme links firms to commercial providers
    MIXED = "mixed"
    DIRECT = "direct"  # the programme delivers services to firms itself


class Beneficiaries(_Frozen):
    sectors: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    geography: tuple[str, ...] = ()
    social_targets: tuple[SocialTarget, ...] = ()
    scope: Scope | None = None
    end_markets: tuple[Scope, ...] = ()  # channels of the end markets targeted


class Analysis(_Frozen):
    """What the design's diagnosis covers (free text; empty means not done)."""

    chain_selection_rationale: str | None = None
    lead_firm_analysis: str | None = None
    governance_analysis: str | None = None
    value_added_analysis: str | None = None
    rents_analysis: str | None = None
    end_market_analysis: str | None = None
    constraint_analysis: str | None = None
    constraint_prioritisation: str | None = None


class Design(_Frozen):
    analysis: Analysis = Analysis()
    vision: str | None = None  # the market after the intervention
    upgrading_strategy: str | None = None
    lead_firm_interests: str | None = None
    learning_and_innovation: str | None = None
    collective_action: str | None = None
    public_private_cooperation: str | None = None
    exit_strategy: str | None = None
    monitoring: str | None = None  # results chain and indicators


class Budget(_Frozen):
    """What the intervention costs (or was planned to cost), with where the figure is from."""

    amount: Annotated[float, PydField(ge=0, allow_inf_nan=False)]
    currency: Annotated[str, PydField(min_length=3, max_length=3)]
    funder: str | None = None
    note: str | None = None


class Intervention(_Frozen):
    id: str
    title: str
    #: What the design is and whether it is real, planned or an illustration.
    description: str | None = None
    #: Where its facts and figures come from (evaluations, project documents).
    sources: tuple[Source, ...] = ()
    budget: Budget | None = None
    chain: str | None = None
    beneficiaries: Beneficiaries = Beneficiaries()
    mediators: tuple[Actor, ...] = ()
    funders: tuple[Actor, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    fields: tuple[Field, ...] = ()
    subfields: tuple[Subfield, ...] = ()
    upgrading: tuple[UpgradingObjective, ...] = ()
    chain_objectives: tuple[ChainObjective, ...] = ()
    development_objectives: tuple[DevelopmentObjective, ...] = ()
    constraints_addressed: tuple[str, ...] = ()
    approaches: tuple[str, ...] = ()
    delivery: Delivery | None = None
    design: Design = Design()

    @field_validator("approaches")
    @classmethod
    def _known_approaches(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        keys = [a.key for a in approaches()]
        for v in values:
            if v not in keys:
                raise ValueError(f"unknown approach {v!r}; valid: {', '.join(keys)}")
        return values

    @model_validator(mode="after")
    def _subfields_in_fields(self) -> Self:
        for sub in self.subfields:
            if self.fields and SUBFIELD_OF[sub] not in self.fields:
                raise ValueError(
                    f"sub-field {sub.value!r} belongs to the field {SUBFIELD_OF[sub].value!r},"
                    " which the intervention does not list under fields"
                )
        return self

    @property
    def approach_factors(self) -> set[str]:
        """The critical success factors the intervention's approaches serve."""
        by_key = {a.key: a.factor for a in approaches()}
        return {by_key[k] for k in self.approaches}


def read_intervention(path: str | Path) -> Intervention:
    """Read an intervention (YAML/JSON, or the ``intervention`` sheet of the chain workbook);
    an unknown code is an error listing the valid ones."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", file=p)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from gvckit.interventions.workbook import read_intervention_sheet

        return read_intervention_sheet(p)
    data, lines = read_document(p, what="an intervention")
    found: Intervention = validate(
        Intervention, data, file=p, lines=lines, expected="an intervention"
    )
    return found
