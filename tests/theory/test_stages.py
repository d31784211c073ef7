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


def test_rotated_h1_h3_stages_learn_a_then_b():
    """f* = h1(a) + h3(b), a = (3z1 + 4z2)/5 ⊥ b: stage 1 learns a (c_1 = 1, ġ = 2g(1 − g)), stage 2
    learns b with c_3 = 1 and ġ = 2g(1 − g)·3g² (c_j = squared Hermite coefficients of degree j)."""
    a = (3 * z1 + 4 * z2) / 5
    b = (-4 * z1 + 3 * z2) / 5
    first, second = st.stages(a + He(3, b) / sympy.sqrt(6), [z1, z2])
    assert first.direction in (sympy.Matrix([3, 4]) / 5, -sympy.Matrix([3, 4]) / 5)
    assert second.direction in (sympy.Matrix([-4, 3]) / 5, sympy.Matrix([4, -3]) / 5)
    assert first.coefficient == 1 and second.coefficient == 1
    assert first.learned.shape == (2, 0) and second.learned == first.direction
    assert sympy.expand(first.rhs - 2 * st.G_STAGE * (1 - st.G_STAGE)) == 0
    assert sympy.expand(second.rhs - 6 * st.G_STAGE**3 * (1 - st.G_STAGE)) == 0


def test_expansion_coefficients_along_a_symbolic_direction():
    """f* = z1 + h2(z2) has ψ(G) = G11 + G22², so along G = g vvᵀ: c_1 = v1², c_2 = v2⁴."""
    v1, v2 = sympy.symbols("v1 v2", real=True)
    c = st.expansion(z1 + He(2, z2) / sympy.sqrt(2), [z1, z2], sympy.zeros(2, 0), sympy.Matrix([v1, v2]))
    assert c == {1: v1**2, 2: v2**4}
    after = st.expansion(z1 + He(2, z2) / sympy.sqrt(2), [z1, z2], sympy.Matrix([1, 0]), sympy.Matrix([0, 1]))
    assert after == {2: 1}


def test_complement_and_projector():
    assert st.complement(sympy.zeros(3, 0), 3) == sympy.eye(3)
    V = st.complement(sympy.Matrix([1, 0, 0]), 3)
    assert V.shape == (3, 2) and V.T * V == sympy.eye(2) and V[0, :] == sympy.zeros(1, 2)
    assert st.complement(sympy.eye(2), 2).shape == (2, 0)
    assert st.projector(sympy.zeros(3, 0)) == sympy.zeros(3, 3)
    u = sympy.Matrix([3, 4]) / 5
    assert st.projector(u) == u * u.T


def test_saddle_loss_is_half_the_unexplained_norm():
    """L(P) = ½(ψ(I) − ψ(P)): for f* = z1 + z1z2, ψ(I) = 2; at U = e1 only z1 is explained."""
    link = z1 + z1 * z2
    assert st.saddle_loss(link, [z1, z2], sympy.zeros(2, 0)) == 1
    assert st.saddle_loss(link, [z1, z2], sympy.Matrix([1, 0])) == sympy.Rational(1, 2)
    assert st.saddle_loss(link, [z1, z2], sympy.eye(2)) == 0


def test_stage_length_with_a_start_constant():
    """s̃ = 2 (f* = h2 of one variable, c_2 = 1): d/(2·2·1·c c₀) = d/(4c₀)."""
    (stage,) = st.stages(He(2, z1) / sympy.sqrt(2), [z1])
    d, c0 = sympy.symbols("d c0", positive=True)
    assert stage.exponent == 2 and stage.coefficient == 1
    assert sympy.simplify(st.stage_length(stage, d, c0) - d / (4 * c0)) == 0


@pytest.mark.parametrize("link, message", [
    (z1, "flow stops at this saddle"),                       # z2 never learned
    (z1 + z2, "flow stops at this saddle"),                  # a single-index link: (1, −1) never learned
    # after e1, c_1(v) = v2² + k²v3² (z1z2 and k·h2(z1)z3 are degree 1 in v): Φ on U^⊥ is
    # I (a 2-dimensional eigenspace) for k = 1, diag(1, 4) (two positive eigenvalues) for k = 2
    (z1 + z1 * z2 + He(2, z1) * z3 / sympy.sqrt(2), "must grow exactly one direction"),
    (z1 + z1 * z2 + 2 * He(2, z1) * z3 / sympy.sqrt(2), "must grow exactly one direction"),
    (He(2, z1) + He(2, z2), "depends on the start"),
])
def test_stages_that_the_theory_does_not_fix_are_refused(link, message):
    zs = [z1, z2, z3] if link.has(z3) else [z1, z2]
    with pytest.raises(InputError, match=message):
        st.stages(link, zs)


def test_refused_subspaces_name_the_reason():
    with pytest.raises(InputError, match="orthonormal columns"):
        st.saddle_loss(z1, [z1, z2], sympy.Matrix([1, 1]))
    with pytest.raises(InputError, match="no next stage"):
        st.stage_exponent(z1 * z2, [z1, z2], sympy.eye(2))
