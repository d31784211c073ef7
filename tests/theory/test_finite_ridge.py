"""The finite-ridge link (theory/finite_ridge.py, A19): its pieces in q = 1 (Mehler), the ridge
coefficients, the flow at μ = 0 (the reduced ODE of A10), the limits, and dT/dμ for a one-term
link, where T(μ) = T(0)(1 + μ/λ_s) exactly."""

import pytest
import sympy

from gfverify.errors import InputError
from gfverify.theory import finite_ridge as fr
from gfverify.theory import reduced_ode as ro

R = sympy.Rational
m, mu, r = fr.M, fr.MU, fr.R_K
a1, a2 = sympy.symbols("a1 a2", real=True)


def test_single_index_pieces_are_mehler():
    P = fr.single_index_problem({1: a1, 2: a2})
    assert P.betas == ((0,), (1,), (2,), (3,))
    assert list(P.b) == [0, a1 * m, a2 * m**2, 0]
    assert P.gram == sympy.eye(4)
    assert P.lam == (1, r, r**2, r**3)
    assert sympy.expand(P.norm2 - a1**2 - a2**2) == 0


def test_ridge_coefficients_shrink_by_lambda_over_lambda_plus_mu():
    P = fr.single_index_problem({1: a1, 2: a2})
    c = P.coefficients()
    assert sympy.simplify(c[2] - a2 * m**2 * r**2 / (r**2 + mu)) == 0
    assert fr.limit_at_zero(c[1]) == a1 * m


def test_flow_at_zero_ridge_is_the_reduced_ode():
    alphas = {1: a1, 2: a2}
    rhs = fr.ridge_rhs(fr.single_index_problem(alphas))
    assert sympy.expand(fr.limit_at_zero(rhs) - ro.single_index_rhs(alphas, m)) == 0


def test_limit_at_zero_falls_back_to_sympy_at_a_pole_of_the_denominator():
    assert fr.limit_at_zero((mu**2 + 3 * mu) / mu) == 3
    assert fr.leading_rate(1 + 5 * mu**2 + mu**3, 2) == 5


def test_escape_slope_of_a_one_term_link_is_T0_over_lambda():
    """f* = h2: R_μ = R_0 λ_2/(λ_2 + μ), so T(μ) = T(0)(1 + μ/λ_2) and dT/dμ = T(0)/λ_2."""
    P = fr.single_index_problem({2: 1}, r=R(1, 2))
    rhs = fr.ridge_rhs(P)
    m0, m1 = R(1, 5), R(1, 2)
    T0 = sympy.integrate(1 / sympy.factor(rhs.subs(mu, 0)), (m, m0, m1))
    assert abs(sympy.N(fr.escape_time_slope(rhs, m, m0, m1) - 4 * T0, 50)) < 1e-40


def test_bad_inputs():
    z = sympy.Symbol("z", real=True)
    with pytest.raises(InputError):
        fr.ridge_problem(sympy.tanh(z), [z], sympy.Matrix([[R(1, 2)]]))
    with pytest.raises(InputError):
        fr.ridge_problem(z**2, [z], sympy.eye(2) / 2)


def test_reduced_ridge_flow_in_q1_is_the_single_index_ridge_flow():
    z = sympy.Symbol("z", real=True)
    alphas = {1: R(1), 2: R(1, 2)}
    rhs, Msym = fr.ridge_reduced_rhs(fr.single_index_link(alphas, z), [z], R(1, 2), R(1, 10))
    want = fr.ridge_rhs(fr.single_index_problem(alphas, r=R(1, 2))).subs(fr.MU, R(1, 10))
    assert sympy.simplify(rhs[0, 0] - want.subs(m, Msym[0, 0])) == 0
    with pytest.raises(InputError):
        fr.ridge_reduced_rhs(z, [z], R(1, 2), R(1, 10), of="penalty")
