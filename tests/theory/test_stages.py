"""Saddles and relative exponents for links whose Φ need not be diagonal (theory.stages)."""

import pytest
import sympy

from gfverify.errors import InputError
from gfverify.theory import reduced_ode as ro
from gfverify.theory import stages as st
from gfverify.theory import timescales as ts
from gfverify.theory.hermite import He

z1, z2, z3 = sympy.symbols("z1 z2 z3", real=True)


def test_staircase_matches_the_diagonal_flow():
    link = z1 + z1 * z2 + z1 * z2 * z3
    stages = st.stages(link, [z1, z2, z3])
    gdot, gs = ro.diagonal_flow(link, [z1, z2, z3])
    for i, s in enumerate(stages):
        frozen = ts.frozen_stage_rhs(gdot, gs, [0, 1, 2], i)
        assert s.exponent == ts.relative_exponent(frozen, gs[i]) == 1
        assert sympy.expand(s.rhs - frozen.subs(gs[i], st.G_STAGE)) == 0
    assert [s.saddle_loss for s in stages] == [sympy.Rational(3, 2), 1, sympy.Rational(1, 2)]


def test_rotated_h1_h3_and_the_d_squared_plateau():
    a = (3 * z1 + 4 * z2) / 5
    b = (-4 * z1 + 3 * z2) / 5
    stages = st.stages(a + He(3, b) / sympy.sqrt(6), [z1, z2])
    assert [s.exponent for s in stages] == [1, 3]
    assert [s.saddle_loss for s in stages] == [1, sympy.Rational(1, 2)]
    d, c = sympy.symbols("d c", positive=True)
    assert sympy.simplify(st.stage_length(stages[1], d, c) - d**2 / (12 * c**2)) == 0
    assert st.stage_length(stages[0], d) == sympy.log(d) / 2


def test_a_saddle_is_a_fixed_point_and_a_generic_line_is_not():
    link = z1 + z1 * z2
    assert st.saddle_residual(link, [z1, z2], sympy.Matrix([1, 0])) == sympy.zeros(2, 1)
    other = sympy.Matrix([3, 4]) / 5
    assert st.saddle_residual(link, [z1, z2], other) != sympy.zeros(2, 1)


def test_undetermined_direction_and_bad_subspace_are_refused():
    with pytest.raises(InputError):
        st.stages(He(2, z1) + He(2, z2), [z1, z2])        # s̃ = 2 on a 2-dimensional complement
    with pytest.raises(InputError):
        st.saddle_loss(z1, [z1, z2], sympy.Matrix([1, 1]))  # not orthonormal
    with pytest.raises(InputError):
        st.stage_exponent(z1 * z2, [z1, z2], sympy.eye(2))  # nothing left to learn
