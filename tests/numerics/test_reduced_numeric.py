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


def test_grid_psi_and_phi_at_q1_are_the_mehler_series():
    """f = x³: x³ = He₃ + 3He₁, so ψ(g) = 6g³ + 9g and Φ = ψ' = 18g² + 9 (Price's identity
    E[f'(z) f'(u)] = 9 E[(z² … )] gives the same); the 1-D grid at 20 digits against them."""
    with mpmath.workdps(20):
        g = mpmath.mpf(1) / 3
        G = mpmath.matrix([[g]])
        assert abs(rn.psi_quadrature(X**3, [X], G) - (6 * g**3 + 9 * g)) < mpmath.mpf(10) ** -17
        assert abs(rn.phi_quadrature(X**3, [X], G)[0, 0] - (18 * g**2 + 9)) < mpmath.mpf(10) ** -17


def test_exact_reading_of_binary_floats():
    """An mpmath matrix read exactly: 3, 1/2, 3/8 and 2^70 are binary numbers."""
    G = mpmath.matrix([[3, mpmath.mpf("0.5")], [mpmath.mpf("0.375"), mpmath.mpf(2) ** 70]])
    assert rn._sym_matrix(G) == sympy.Matrix([[3, R(1, 2)], [R(3, 8), 2**70]])


def test_negative_correlations_keep_their_sign():
    """−3/8 is read as −3/8, and the quadrature kernel at ρ = −½ is the arc-cosine kernel there
    (κ(−½) ≠ κ(½))."""
    assert rn._sym_matrix(mpmath.matrix([[mpmath.mpf("-0.375")]]))[0, 0] == R(-3, 8)
    kernel = rn.quadrature_kernel(sympy.Max(X, 0), sympy.Max(X, 0), X)
    with mpmath.workdps(15):
        assert abs(kernel(mpmath.mpf("-0.5"), 0) - rn.relu_kernel(mpmath.mpf("-0.5"), 0)) < 1e-12


@pytest.mark.parametrize("rho", ["-0.9", "0", "0.5", "0.99"])
def test_arc_cosine_kernel_and_its_derivative(rho):
    """κ' = dκ/dρ (mpmath.diff); κ(0) = 1/(2π), κ(1) = E relu² = ½, κ(−1) = 0; ρ outside [−1, 1]
    is refused and n = 2 is not implemented."""
    with mpmath.workdps(30):
        r = mpmath.mpf(rho)
        slope = mpmath.diff(lambda x: rn.relu_kernel(x, 0), r)
        assert abs(slope - rn.relu_kernel(r, 1)) < mpmath.mpf(10) ** -20
    assert rn.relu_kernel(0) == 1 / (2 * mpmath.pi)
    assert abs(rn.relu_kernel(1) - mpmath.mpf(1) / 2) < 1e-15 and abs(rn.relu_kernel(-1)) < 1e-15
    assert rn.relu_kernel(1, 1) == 1/2 and rn.relu_kernel(-1, 1) == 0
    with pytest.raises(ArithmeticError):
        rn.relu_kernel(mpmath.mpf("-1.0001"))
    with pytest.raises(InputError):
        rn.relu_kernel(mpmath.mpf("0.5"), 2)


def test_mehler_kernel_derivatives_and_erf_closed_form():
    """κ^{(n)} of the Mehler series is the n-th derivative of κ (mpmath.diff); for erf(x/2) the
    kernel from 61 numeric coefficients is (2/π) arcsin(ρ/3) (docs/theory.md A8:
    E erf(ax) erf(ay) = (2/π) arcsin(2a²ρ/(1 + 2a²))) at 15 digits."""
    with mpmath.workdps(20):
        kernel = rn.hermite_kernel(sympy.erf(X / 2), X, 60)
        for rho in (mpmath.mpf("-0.7"), mpmath.mpf("0.3"), mpmath.mpf("0.9")):
            assert abs(kernel(rho) - 2 / mpmath.pi * mpmath.asin(rho / 3)) < mpmath.mpf(10) ** -15
            for n in (1, 2):
                assert abs(kernel(rho, n) - mpmath.diff(kernel, rho, n)) < mpmath.mpf(10) ** -12


def test_quadrature_kernel_keeps_values_per_precision():
    """A value computed at 15 digits is not reused at 30: the 30-digit value is the closed form to
    28 digits; n = 2 is refused."""
    kernel = rn.quadrature_kernel(sympy.Max(X, 0), sympy.Max(X, 0), X)
    rho = mpmath.mpf("0.25")
    with mpmath.workdps(15):
        kernel(rho, 0)
    with mpmath.workdps(30):
        assert abs(kernel(rho, 0) - rn.relu_kernel(rho, 0)) < mpmath.mpf(10) ** -28
    with pytest.raises(InputError):
        kernel(rho, 2)


def test_separable_quadrature_link_against_wick():
    """f = z1² + z2 − z1 (separable): ψ and Φ by one-dimensional quadrature kernels against the
    Wick engine of the polynomial link (exact, evaluated in mpmath), and the loss ½(ψ(I) − ψ(G))."""
    link = Z1**2 + Z2 - Z1
    quad, wick = rn.separable_quadrature_link(link, [Z1, Z2]), rn.polynomial_link(link, [Z1, Z2])
    with mpmath.workdps(20):
        G = _mp(G_EXACT)
        assert abs(quad.psi(G) - wick.psi(G)) < mpmath.mpf(10) ** -17
        assert abs(quad.loss(G) - wick.loss(G)) < mpmath.mpf(10) ** -17
        P, W = quad.phi(G), wick.phi(G)
        assert max(abs(P[i, j] - W[i, j]) for i in range(2) for j in range(2)) < mpmath.mpf(10) ** -17
        # ψ(I) = ‖f‖² = E(z² − z)² + E z² = 3 + 1 + 1
        assert abs(wick.psi(mpmath.eye(2)) - 5) < mpmath.mpf(10) ** -17


def test_linear_factor_psi_against_wick():
    """ψ = g22 κ(g11) + g12² κ'(g11) for a(z1) z2, a = z³ + z, against the Wick engine."""
    a = X**3 + X
    with mpmath.workdps(40):
        alphas = [mpmath.mpf(sympy.N(c, 50)) for c in hermite_coefficients(a, 3, X)]
        got = rn.linear_factor_link(rn.mehler_kernel(alphas), "a(z1) z2").psi(_mp(G_EXACT))
        want = rn.polynomial_link(a.subs(X, Z1) * Z2, [Z1, Z2]).psi(_mp(G_EXACT))
        assert abs(got - want) < mpmath.mpf(10) ** -35


def test_trajectory_refuses_a_start_of_the_wrong_size():
    with pytest.raises(InputError, match="2x2"):
        rn.trajectory(rn.relu_sum_link(2), mpmath.eye(3) / 2, [1])


def test_distance_and_smallest_eigenvalue():
    """M = diag(a, b) rotated: ‖I − MMᵀ‖ = max(1 − a², 1 − b²); the smallest eigenvalue of a
    symmetric matrix with eigenvalues 3 and −1 is −1 (and of a non-symmetric S, that of (S+Sᵀ)/2)."""
    c, s = mpmath.cos(mpmath.mpf(1) / 3), mpmath.sin(mpmath.mpf(1) / 3)
    Q = mpmath.matrix([[c, -s], [s, c]])
    M = Q * mpmath.diag([mpmath.mpf("0.9"), mpmath.mpf("0.6")])
    assert abs(rn.distance_to_identity(M) - (1 - mpmath.mpf("0.36"))) < 1e-14
    assert abs(rn.smallest_eigenvalue(mpmath.matrix([[1, 2], [2, 1]])) + 1) < 1e-14
    assert abs(rn.smallest_eigenvalue(mpmath.matrix([[1, 4], [0, 1]])) + 1) < 1e-14


def test_run_flow_of_the_identity_link_is_logistic():
    """f = z (q = 1): g = m² solves ġ = 2g(1 − g), so the loss ½(1 − g) is
    ½·99e^{−2t}/(1 + 99e^{−2t}) from m = 1/10; Φ = 1; ‖I − G‖ = 1 − g; the loss decreases."""
    rec = rn.run_flow(X, [X], sympy.Matrix([[R(1, 10)]]), 1e-2, 10, 12, samples=3)
    assert rec.digits >= 12 and rec.times[0] == 0 and len(rec.states) == 4
    for t, loss, dist, pmin in zip(rec.times, rec.losses, rec.distances, rec.phi_min):
        e = 99 * mpmath.exp(-2 * mpmath.mpf(t))
        assert abs(loss - e / (1 + e) / 2) < 1e-11
        assert abs(dist - e / (1 + e)) < 1e-11 and abs(pmin - 1) < 1e-11
    assert rec.largest_loss_increase < 0
    # T: the first step (dt = 0.05, then rounded to 0.01) where ‖I − G‖ ≤ bound/100 = 10⁻⁴,
    # ‖I − G‖ = 99e^{−2t}/(1 + 99e^{−2t}) falls by at most e^{−2·0.055} over that
    assert 1e-4 * mpmath.exp(-0.11) < rec.distances[-1] <= 1.001e-4


def test_run_flow_of_a_relu_sum_matches_bulirsch_stoer():
    """The relu branch of run_flow (rational system with Φ carried) against Bulirsch–Stoer on
    the arc-cosine kernel, q = 1: both give m(T) at the recorded times."""
    M0 = sympy.Matrix([[R(1, 5)]])
    rec = rn.run_flow("relu", [X], M0, 1e-1, 3, 12, samples=2)
    with mpmath.workdps(20):
        bs = rn.trajectory(rn.relu_sum_link(1), _mp(M0), [mpmath.mpf(t) for t in rec.times[1:]])
    assert all(abs(a[0, 0] - b[0, 0]) < 1e-11 for a, b in zip(rec.states[1:], bs))
    assert rec.largest_loss_increase < 0


def test_ginibre_start_is_the_draw_over_root_d():
    """M(0) = Z/√d (A11) with Z the seed's standard normal draw, read exactly: d = 100 scales by 1/10."""
    M = rn.ginibre_start(2, 100, np.random.default_rng(3))
    Z = np.random.default_rng(3).standard_normal((2, 2))
    assert all(isinstance(e, sympy.Rational) for e in M)
    assert np.allclose(np.array(M.tolist(), dtype=float), Z / 10, rtol=0, atol=1e-15)
