"""Saddle-to-saddle from random starts (A15): the exact saddle claim FAILS on a wrong saddle loss;
the coordinate-reading control and its positive twin come out opposite through the same judge."""

import numpy as np
import pytest
import sympy

from gfverify.claims import registry
from gfverify.claims.statements import saddle_random as sr
from gfverify.theory import stages as st

DPS = 20


def test_saddle_values_pass_and_fail_on_a_wrong_loss(monkeypatch):
    assert registry.get("A.saddle_values").run(DPS).status == "PASS"
    true_loss = st.saddle_loss
    monkeypatch.setattr(st, "saddle_loss", lambda *a: true_loss(*a) + sympy.Rational(1, 100))
    assert registry.get("A.saddle_values").run(DPS).status == "FAIL"


def test_saddle_frame_is_orthogonal_and_diagonalizes_phi():
    V, link = sr.saddle_frame()
    assert V.T * V == sympy.eye(2)
    assert [s.exponent for s in st.stages(link, sr.ZS)] == [1, 3]


@pytest.mark.slow
def test_coordinate_control_and_its_twin_differ():
    small = dict(ds=(10**3, 10**4), seeds=4)
    assert not sr.saddle_to_saddle_random(DPS, claimed=((1, 0.5), (1, 25 / 32)), **small).holds
    assert sr.saddle_to_saddle_random(DPS, **small).holds


def test_second_plateau_constant_is_the_orthogonal_part_of_the_second_row():
    V, _ = sr.saddle_frame()
    rows = np.array([[2.0, 0.0], [1.0, 3.0]])          # det 6, first row of norm 2
    M0 = np.array(V, dtype=float) @ rows
    assert abs(sr.second_plateau_constant(M0, 100) - 100 * 36 / 4) < 1e-9
