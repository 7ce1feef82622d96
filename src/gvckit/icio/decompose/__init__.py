"""Decompositions of gross exports into value-added terms.

Modules: :mod:`~gvckit.icio.decompose.basis` (shared Leontief blocks), :mod:`.wwz` (WWZ 2013 and
KWW 2014), :mod:`.borin_mancini` (Borin & Mancini 2019).
"""

from gvckit.icio.decompose.basis import Basis

__all__ = ["Basis"]
