"""IATI codelists: codes → names, read from the official or the rendered copies.

gvckit does not ship the codelists (they belong to the IATI Secretariat and the OECD DAC). Point
it at a folder (``--codelists DIR`` or ``$GVCKIT_IATI_CODELISTS``) holding either

- the official XML files (``ActivityStatus.xml``, ``Sector.xml``, …: ``<codelist-item><code>``
  and ``<name><narrative>``), e.g. the IATI-Codelists / IATI-Codelists-NonEmbedded repositories, or
- the rendered CSV files of codelists.codeforiati.org (``code,name,...``), in any language.

Subfolders are searched too, so the folder of a downloaded bundle works as it is. The XML is read
with the same hardened parser settings as activity files (no entities, no DTD, no network).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from gvckit.errors import InputError

__all__ = ["LISTS", "Codelists", "read_codelists"]

#: The codelists the portfolio review names.
LISTS = ("ActivityStatus", "AidType", "FinanceType", "FlowType", "OrganisationType", "Sector",
         "SectorCategory", "Country", "Region", "CollaborationType")  # fmt: skip
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Codelists:
    """Names by codelist and code; ``folder`` is where they were read."""

    names: dict[str, dict[str, str]] = field(default_factory=dict)
    folder: str = ""

    def name(self, codelist: str, code: str) -> str:
        """The name of ``code`` in ``codelist`` ('' when unknown or not loaded)."""
        return self.names.get(codelist, {}).get(code.strip(), "")

    def names_of(self, codelist: str, codes: list[str]) -> str:
        """'code name; code name' for several codes (codes without a name are kept bare)."""
        out = []
        for code in codes:
            name = self.name(codelist, code)
            out.append(f"{code} {name}" if name else code)
        return "; ".join(out)


def _read_xml(path: Path) -> dict[str, str]:
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    root = etree.parse(str(path), parser).getroot()
    out: dict[str, str] = {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        names = item.findall("name/narrative") or item.findall("name")  # 2.0x or older style
        english = [n for n in names if (n.get(_XML_LANG) or "en").startswith("en")]
        chosen = english or names
        if code and chosen:
            out[code] = (chosen[0].text or "").strip()
    return out


def _read_csv(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = csv.DictReader(fh)
        if not rows.fieldnames or "code" not in rows.fieldnames or "name" not in rows.fieldnames:
            raise InputError("not a codelist", file=path, row=1, expected="columns code,name")
        return {r["code"].strip(): (r["name"] or "").strip() for r in rows if r.get("code")}


def read_codelists(folder: str | Path | None = None) -> Codelists:
    """Read the codelists of :data:`LISTS` under ``folder`` (default
    ``$GVCKIT_IATI_CODELISTS``; none: an empty set, codes stay unnamed). English names are
    preferred where several languages are present."""
    chosen = folder or os.environ.get("GVCKIT_IATI_CODELISTS")
    if not chosen:
        return Codelists()
    root = Path(chosen)
    if not root.is_dir():
        raise InputError("no such folder of IATI codelists", file=root)
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*"), key=lambda p: (len(p.parts), str(p))):
        stem, suffix = path.stem, path.suffix.lower()
        if stem in LISTS and suffix in (".xml", ".csv") and path.is_file():
            english = "/en/" in path.as_posix() or suffix == ".xml"
            if stem not in found or (english and "/en/" not in found[stem].as_posix()
                                     and found[stem].suffix != ".xml"):  # fmt: skip
                found[stem] = path
    if not found:
        raise InputError("no IATI codelists here", file=root,
                         expected="files such as Sector.xml or Sector.csv")  # fmt: skip
    names: dict[str, dict[str, str]] = {}
    for stem, path in found.items():
        try:
            names[stem] = _read_xml(path) if path.suffix.lower() == ".xml" else _read_csv(path)
        except etree.XMLSyntaxError as exc:
            raise InputError(f"not a well-formed codelist ({exc.msg})", file=path) from None
    return Codelists(names, str(root))
