"""Cross-check against pymrio (the `pymrio` extra): same A, same Leontief inverse, same x."""

from __future__ import annotations

import numpy as np
import pytest

import gvckit.icio as icio
from conftest import wiod_path
from gvckit.icio import leontief as lt

pymrio = pytest.importorskip("pymrio", reason="the pymrio extra is not installed")


@pytest.mark.shared
def test_leontief_inverse_matches_pymrio_on_wiod() -> None:
    table = icio.read(wiod_path(2011))
    A_ours = lt.technical_coefficients(table.Z, table.x)
    A_peer = pymrio.calc_A(table.Z, table.x)
    np.testing.assert_allclose(A_ours, A_peer, rtol=1e-12, atol=1e-15)
    B_ours = lt.LeontiefSystem(A_ours).inverse()
    B_peer = pymrio.calc_L(A_peer)
    np.testing.assert_allclose(B_ours, B_peer, rtol=1e-9, atol=1e-12)


def test_leontief_inverse_matches_pymrio_on_leather(leather_path: object) -> None:
    table = icio.read(leather_path)  # type: ignore[arg-type]
    model = icio.IcioModel(table)
    L_peer = pymrio.calc_L(pymrio.calc_A(table.Z, table.x))
    np.testing.assert_allclose(model.system.inverse(), L_peer, rtol=1e-12)
