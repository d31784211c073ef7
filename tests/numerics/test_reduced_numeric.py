"""Numeric ψ, Φ and flows of the reduced ODE for non-polynomial links (numerics/reduced_numeric)."""

import mpmath
import numpy as np
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import reduced_numeric as rn
from gfverify.theory import reduced_ode as ro
from gfverify.theory.hermite import hermite_coefficients

Z1, Z2, X = sympy.symbols("z1 z2 x", real=True)
R = sympy.Rational
G_EXACT = sympy.Matrix([[R(1, 3), R(1, 10)], [R(1, 10), R(1, 4)]])


def _mp(G):
    return mpmath.matrix([[mpmath.mpf(sympy.N(e, 40)) for e in row] for row in G.tolist()])


def _symbolic_phi(link):
    G = ro.symmetric_matrix(2)
    phi = ro.symmetric_gradient(ro.psi_of(link, [Z1, Z2], G), G)
    return phi.subs({G[i, j]: G_EXACT[i, j] for i in range(2) for j in range(i, 2)}, simultaneous=True)


@pytest.mark.slow
def test_price_identity_on_the_grid_is_the_symbolic_gradient():
    link = Z1**2 * Z2 + Z1
    with mpmath.workdps(12):
        got = rn.phi_quadrature(link, [Z1, Z2], _mp(G_EXACT))
    want = _symbolic_phi(link)
    assert max(abs(got[i, j] - want[i, j]) for i in range(2) for j in range(2)) < 1e-9


def test_linear_factor_reduction_is_exact_for_a_polynomial_factor():
    # a(z) = z^3 + z: the Mehler kernel from its exact Hermite coefficients, then
    # psi = g22 k(g11) + g12^2 k'(g11), against Wick's Phi of a(z1) z2
    a = X**3 + X
    with mpmath.workdps(40):
        alphas = [mpmath.mpf(sympy.N(c, 50)) for c in hermite_coefficients(a, 3, X)]
        got = rn.linear_factor_link(rn.mehler_kernel(alphas), "a(z1) z2").phi(_mp(G_EXACT))
        want = _symbolic_phi(a.subs(X, Z1) * Z2)
        assert max(abs(got[i, j] - want[i, j]) for i in range(2) for j in range(2)) < mpmath.mpf(10) ** -35


def test_relu_kernel_derivative_matches_quadrature_and_rejects_rho_above_one():
    kernel = rn.quadrature_kernel(sympy.Max(X, 0), sympy.Max(X, 0), X)
    with mpmath.workdps(15):
        rho = mpmath.mpf("0.375")
        assert abs(kernel(rho, 1) - rn.relu_kernel(rho, 1)) < 1e-12
        assert abs(kernel(rho, 0) - rn.relu_kernel(rho, 0)) < 1e-12
    with pytest.raises(ArithmeticError):
        rn.relu_kernel(mpmath.mpf("1.0001"), 1)


def test_separable_parts():
    assert rn.separable_parts(sympy.Max(Z1, 0) + sympy.Max(Z2, 0) + 3, [Z1, Z2]) == \
        [sympy.Max(Z1, 0), sympy.Max(Z2, 0)]
    assert rn.separable_parts(sympy.tanh(Z1) * Z2, [Z1, Z2]) is None
    with pytest.raises(InputError):
        rn.separable_quadrature_link(sympy.tanh(Z1) * Z2, [Z1, Z2])


def test_hermite_kernel_refuses_a_truncated_series():
    with mpmath.workdps(20):
        with pytest.raises(ArithmeticError):
            rn.hermite_kernel(sympy.tanh(X), X, 40)


def test_trajectory_solves_the_logistic_flow():
    # f = z (q = 1): psi = g, Phi = 1, so g = m^2 solves g' = 2 g (1 - g)
    link = rn.polynomial_link(X, [X])
    with mpmath.workdps(20):
        (M,) = rn.trajectory(link, mpmath.matrix([[mpmath.mpf("0.1")]]), [2])
        g = 1 / (1 + 99 * mpmath.exp(-4))
        assert abs(M[0, 0] ** 2 - g) < mpmath.mpf(10) ** -17


def test_relu_system_start_carries_phi_and_the_flow_matches_bulirsch_stoer():
    M0 = sympy.Matrix([[R(1, 4), R(1, 10)], [R(-1, 5), R(1, 3)]])
    start = rn.relu_sum_start(M0)
    with mpmath.workdps(20):
        phi = rn.relu_sum_link(2).phi(_mp(M0 * M0.T))
        assert abs(mpmath.mpf(sympy.N(start[5], 30)) - phi[0, 1]) < 1e-18
        system, _ = rn.relu_sum_system(2)
        states, digits, _ = rn.flow_states(system, start, 2, [1], 12)
        (bs,) = rn.trajectory(rn.relu_sum_link(2), _mp(M0), [1])
        assert digits >= 12
        assert max(abs(states[1][i, j] - bs[i, j]) for i in range(2) for j in range(2)) < 1e-12


def test_starts():
    rng = np.random.default_rng(0)
    M = rn.rank_one_start(3, 10, rng)
    assert M.rank() == 1 and all(isinstance(e, sympy.Rational) for e in M)
    W = rn.haar_start(2, 10, rng)
    assert np.linalg.norm(np.array(W.tolist(), dtype=float), 2) <= 1
    with pytest.raises(InputError):
        rn.ginibre_start(3, 1, np.random.default_rng(1))


def test_horizon_stops_at_the_bound_or_at_t_max():
    phi = rn.polynomial_phi64(Z1 + Z2**2, [Z1, Z2])
    assert rn.horizon(phi, np.array([[0.5, 0.0], [0.0, 0.5]]), 1e-3, 200) < 200
    assert rn.horizon(phi, np.array([[0.5, 0.5], [0.0, 0.0]]), 1e-3, 20) == 20  # rank one


def test_numeric_q_limit():
    zs = sympy.symbols("a b c e f", real=True)
    with pytest.raises(InputError):
        rn.phi_quadrature(sum(zs), zs, mpmath.eye(5) / 2)


def test_energy_balance_holds_for_the_gradient_and_fails_for_a_wrong_phi():
    link = rn.polynomial_link(Z1 * Z2 + Z1**2, [Z1, Z2])
    wrong = rn.ReducedLink(q=2, psi=link.psi, phi=lambda G: 2 * link.phi(G), name="2 Phi")
    with mpmath.workdps(15):
        M0 = _mp(sympy.Matrix([[R(1, 2), R(1, 5)], [R(-1, 4), R(1, 3)]]))
        drop, integral = rn.energy_balance(link, M0, 1, panels=2, nodes=24)
        assert abs(drop - integral) < 1e-12
        drop, integral = rn.energy_balance(wrong, M0, 1, panels=2, nodes=24)
        assert abs(drop - integral) > 1e-3
