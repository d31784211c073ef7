"""The reduced dynamics derived from the link (theory.reduced_ode)."""

from functools import lru_cache

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gfverify.errors import InputError
from gfverify.numerics.strategies import polynomial_links
from gfverify.theory import reduced_ode as ro
from gfverify.theory.averaging import psi
from gfverify.theory.hermite import Z, h, hermite_coefficients

M = ro.M
Z1, Z2 = sympy.symbols("z1 z2", real=True)


def test_single_index_matches_theory_formula():
    # docs/theory.md: mdot = (1 - m^2) sum k a_k^2 m^(2k-1); planted (1 - m^2) sum k a_k^2 m^(k-1)
    alphas = {1: sympy.Rational(1, 2), 3: sympy.Integer(2), 4: sympy.sqrt(3)}
    two = (1 - M**2) * (1 * alphas[1] ** 2 * M + 3 * 4 * M**5 + 4 * 3 * M**7)
    planted = (1 - M**2) * (alphas[1] ** 2 + 3 * 4 * M**2 + 4 * 3 * M**3)
    assert sympy.expand(ro.single_index_rhs(alphas) - two) == 0
    assert sympy.expand(ro.single_index_rhs(alphas, planted=True) - planted) == 0


def test_mehler_psi_agrees_with_wick_route():
    link = Z**4 - 2 * Z**3 + Z
    alphas = dict(enumerate(hermite_coefficients(link, 4)))
    rho = sympy.Symbol("rho", real=True)
    wick = psi(link, sympy.Matrix([[rho]]), [Z])
    mehler = ro.mehler_psi(alphas, rho) + alphas[0] ** 2
    assert sympy.expand(wick - mehler) == 0


def test_symmetric_gradient_halves_off_diagonal_derivative():
    # psi(G) = tr(G^2) has gradient 2G; written in g11, g12, g22 it is g11^2 + 2 g12^2 + g22^2
    G = ro.symmetric_matrix(2)
    phi = ro.symmetric_gradient((G * G).trace(), G)
    assert (phi - 2 * G).applyfunc(sympy.expand) == sympy.zeros(2)


def test_reduced_rhs_two_scale_link():
    # psi = g11 + g22^3, so Phi = diag(1, 3 g22^2) and Mdot = (I - G) Phi M
    rhs, Msym = ro.reduced_rhs(h(1, Z1) + h(3, Z2), [Z1, Z2])
    G = Msym * Msym.T
    want = (sympy.eye(2) - G) * sympy.diag(1, 3 * G[1, 1] ** 2) * Msym
    assert (rhs - want).applyfunc(sympy.expand) == sympy.zeros(2)


def test_planted_rhs_sum_of_h3():
    # <A_M f, f> = sum M_ij^3, so Gamma = 3 M∘M and Mdot = Gamma - M sym(M^T Gamma)
    rhs, Msym = ro.planted_rhs(h(3, Z1) + h(3, Z2), [Z1, Z2])
    gamma = Msym.applyfunc(lambda e: 3 * e**2)
    S = Msym.T * gamma
    want = gamma - Msym * (S + S.T) / 2
    assert (rhs - want).applyfunc(sympy.expand) == sympy.zeros(2)


def test_diagonal_flow_rejects_coupled_link():
    # f = z1 + z2: psi = g11 + 2 g12 + g22, Phi_12 = 1 at diagonal G
    with pytest.raises(InputError):
        ro.diagonal_flow(Z1 + Z2, [Z1, Z2])


@pytest.mark.parametrize("alphas", [{0: 1}, {-1: 1}, {1: sympy.I}])
def test_bad_alphas(alphas):
    with pytest.raises(InputError):
        ro.check_alphas(alphas)


def test_q_limit():
    zs = sympy.symbols("a b c e f", real=True)
    with pytest.raises(InputError):
        ro.reduced_rhs(zs[0] * zs[4], list(zs))


def test_q4_separable_link_has_the_mehler_phi():
    # f = h2(z1) + ... + h2(z4): psi = sum_ij G_ij^2 (Mehler per pair), so Phi = 2 G
    zs = sympy.symbols("a b c e", real=True)
    G = ro.symmetric_matrix(4)
    phi = ro.symmetric_gradient(ro.psi_of(sum(h(2, z) for z in zs), zs, G), G)
    assert (phi - 2 * G).applyfunc(sympy.expand) == sympy.zeros(4)


@settings(max_examples=12, deadline=None)
@given(link=polynomial_links(max_degree=5), m=st.fractions(-1, 1))
def test_single_index_flow_invariants(link, m):
    """|m| = 1 is invariant, the two-timescale flow moves away from 0 (m R(m) >= 0) and the
    loss never increases (L'(m) R(m) <= 0), exactly, for random polynomial links."""
    alphas = dict(enumerate(hermite_coefficients(link, max(1, sympy.Poly(link, Z).degree()))))
    if all(a == 0 for k, a in alphas.items() if k >= 1):
        return
    m = sympy.Rational(m.numerator, m.denominator)
    for planted in (False, True):
        R = ro.single_index_rhs(alphas, planted=planted)
        L = ro.single_index_loss(alphas, planted=planted)
        assert R.subs(M, 1) == 0 and R.subs(M, -1) == 0
        assert (sympy.diff(L, M) * R).subs(M, m) <= 0
    assert (M * ro.single_index_rhs(alphas)).subs(M, m) >= 0


LINKS_Q2 = (Z1 + Z1 * Z2 + Z2**2, Z1**2 * Z2 - 2 * Z2 + Z1 * Z2, Z1**3 + Z2)


@lru_cache(maxsize=None)
def _loss_rate(i: int):
    """dL/dt = grad L · Mdot as a polynomial in the entries of M, for LINKS_Q2[i]."""
    link = LINKS_Q2[i]
    rhs, Msym = ro.reduced_rhs(link, [Z1, Z2])
    G = ro.symmetric_matrix(2)
    Gm = Msym * Msym.T
    loss = -ro.psi_of(link, [Z1, Z2], G).subs({G[i, j]: Gm[i, j] for i in range(2) for j in range(i, 2)},
                                              simultaneous=True) / 2
    return sympy.Poly(sum(sympy.diff(loss, e) * r for e, r in zip(Msym, rhs)), *Msym)


@settings(max_examples=20, deadline=None)
@given(entries=st.lists(st.fractions(-1, 1, max_denominator=7), min_size=4, max_size=4),
       i=st.sampled_from(range(len(LINKS_Q2))))
def test_multi_index_loss_decreases(entries, i):
    """dL/dt = grad L · Mdot <= 0 at random contractions M (exact rationals), q = 2."""
    A = [sympy.Rational(e.numerator, e.denominator) for e in entries]
    frob2 = sum(e**2 for e in A)
    # ‖A‖_op <= ‖A‖_F <= (‖A‖_F² + 1)/2, so M is a rational contraction
    scale = sympy.Rational(9, 10) / max(1, (frob2 + 1) / 2)
    value = _loss_rate(i).eval(tuple(a * scale for a in A))
    assert value.is_Rational and value <= 0


def test_orthogonal_start_is_stationary():
    # G = I: Mdot = (I - G) Phi M = 0 (the boundary of 0 <= G <= I is invariant)
    rhs, Msym = ro.reduced_rhs(Z1 * Z2 + Z1**3, [Z1, Z2])
    c, s = sympy.Rational(3, 5), sympy.Rational(4, 5)
    rot = sympy.Matrix([[c, -s], [s, c]])
    assert rhs.subs(dict(zip(Msym, rot))).applyfunc(sympy.simplify) == sympy.zeros(2)


def test_alpha_whose_reality_is_undecided_is_refused():
    # nan is a number that is not real (sympy leaves is_real undecided): not a Hermite coefficient
    with pytest.raises(InputError, match="real number"):
        ro.check_alphas({1: sympy.nan})


def test_matrix_entries_are_named_by_one_based_row_and_column():
    """The documented names: M has independent entries m_ij, G = Gᵀ has g_ij = g_ji, i, j from 1
    (the names derivations and statements print)."""
    m11, m12, m21, m22, g11, g12, g22 = sympy.symbols("m11 m12 m21 m22 g11 g12 g22", real=True)
    assert ro.general_matrix(2) == sympy.Matrix([[m11, m12], [m21, m22]])
    assert ro.symmetric_matrix(2) == sympy.Matrix([[g11, g12], [g12, g22]])
