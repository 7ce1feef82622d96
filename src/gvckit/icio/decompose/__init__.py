"""Decompositions of gross exports into value-added terms (KWW, WWZ, Borin–Mancini)."""

from gvckit.icio.decompose.basis import Basis
from gvckit.icio.decompose.wwz import KWW_TERMS, WWZ_TERMS, kww, wwz

__all__ = ["KWW_TERMS", "WWZ_TERMS", "Basis", "kww", "wwz"]
