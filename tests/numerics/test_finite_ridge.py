"""The quadrature ridge fit (numerics/finite_ridge.py) against the exact q = 1 coefficients
λ_k α_k m^k/(λ_k + μ), the Neville extrapolation and the ladder of ridges."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import finite_ridge as nfr
from gfverify.theory import finite_ridge as tfr

R = sympy.Rational


def test_single_index_ridge_fit_matches_the_shrunk_mehler_coefficients():
    z = sympy.Symbol("z", real=True)
    link = z + (z**2 - 1) / sympy.sqrt(2)  # h1 + h2
    with mpmath.workdps(30):
        fit = nfr.ridge_fit(link, [z], [[R(1, 2)]], R(1, 2), R(1, 4))
        lam = [mpmath.mpf(2) ** -k for k in range(4)]
        want = [0, lam[1] / (lam[1] + 0.25) / 2, lam[2] / (lam[2] + 0.25) / 4, 0]
        assert max(abs(a - b) for a, b in zip(fit.coefficients, want)) < mpmath.mpf(10) ** -25
        assert fit.objective > fit.loss


def test_extrapolate_to_zero_recovers_a_polynomial_exactly():
    with mpmath.workdps(30):
        xs = [mpmath.mpf(1) / k for k in range(1, 5)]
        assert abs(nfr.extrapolate_to_zero(xs, [3 + x - 2 * x**3 for x in xs]) - 3) < mpmath.mpf(10) ** -25


def test_ridge_ladder_reaches_the_digits():
    mus = nfr.ridge_ladder(R(1, 16), 30)
    assert sympy.prod([x * 16 for x in mus]) < R(1, 10**30)
    assert sympy.prod([x * 16 for x in mus[:-1]]) >= R(1, 10**30)
    with pytest.raises(InputError):
        nfr.ridge_ladder(0, 10)


def test_single_index_loss_and_objective_in_closed_form():
    """q = 1, f* = h1 + h2 at m = 1/2: with E[h_j(u) h_k(v)] = δ_jk m^k the fitted link's loss is
    ½(Σα_k² − 2Σα_k c_k m^k + Σc_k²) and the objective adds (μ/2)Σ c_k²/λ_k."""
    z = sympy.Symbol("z", real=True)
    with mpmath.workdps(30):
        fit = nfr.ridge_fit(z + (z**2 - 1) / sympy.sqrt(2), [z], [[R(1, 2)]], R(1, 2), R(1, 4))
        c = fit.coefficients
        loss = (2 - 2 * (c[1] / 2 + c[2] / 4) + sum(x**2 for x in c)) / 2
        assert abs(fit.loss - loss) < mpmath.mpf(10) ** -25
        penalty = sum(x**2 * 2**k for k, x in enumerate(c))
        assert abs(fit.objective - loss - penalty / 8) < mpmath.mpf(10) ** -25
        assert fit.betas == ((0,), (1,), (2,), (3,))


def test_two_index_fit_matches_the_exact_isserlis_route():
    """q = 2, non-symmetric M: the quadrature coefficients, loss and objective against
    theory.finite_ridge (every moment by Isserlis, exact rationals), to 25 digits."""
    z1, z2 = sympy.symbols("z1 z2", real=True)
    link, M, r, mu = z1 * z2 + z1**2 - 1, [[R(1, 3), R(-1, 4)], [R(1, 5), R(1, 2)]], R(1, 2), R(1, 8)
    exact = tfr.ridge_problem(link, [z1, z2], sympy.Matrix(M), r)
    c = exact.coefficients(mu)
    with mpmath.workdps(30):
        fit = nfr.ridge_fit(link, [z1, z2], M, r, mu)
        assert fit.betas == exact.betas
        assert max(abs(a - mpmath.mpf(sympy.N(b, 40))) for a, b in zip(fit.coefficients, c)) < 1e-25
        assert abs(fit.loss - mpmath.mpf(sympy.N(exact.loss(c), 40))) < 1e-25
        assert abs(fit.objective - mpmath.mpf(sympy.N(exact.objective(c, mu), 40))) < 1e-25


def test_bad_fits_and_extrapolations():
    z = sympy.Symbol("z", real=True)
    with pytest.raises(InputError, match="polynomial links only"):
        nfr.ridge_fit(sympy.tanh(z), [z], [[R(1, 2)]], R(1, 2), R(1, 4))
    with pytest.raises(InputError, match="‖M‖_op < 1"):
        nfr.ridge_fit(z, [z], [[1]], R(1, 2), R(1, 4))
    for xs, ys in (([1, 2], [1]), ([], [])):
        with pytest.raises(InputError, match="as many values"):
            nfr.extrapolate_to_zero(xs, ys)
    assert nfr.extrapolate_to_zero([R(1, 2)], [7]) == 7
    for rho, start in ((1, 0), (1, 1), (-1, R(1, 2))):
        with pytest.raises(InputError, match="rho > 0"):
            nfr.ridge_ladder(rho, 10, start)


def test_ridge_ladder_halves_from_its_start():
    mus = nfr.ridge_ladder(R(1, 2), 5, R(1, 10))
    assert mus[:3] == [R(1, 20), R(1, 40), R(1, 80)]
    assert all(b == a / 2 for a, b in zip(mus, mus[1:]))


def test_certified_rule_is_exact_on_gaussian_moments():
    """The certified 6-point rule's balls contain E[x^{2k}] = (2k−1)!! for 2k ≤ 11 and 0 for odd
    moments, and its nodes/weights agree with mpmath's Gauss–Hermite rule to 40 digits."""
    import flint

    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        nodes, weights = nfr.hermite_rule_balls(6)
        for k in range(12):
            moment = sum((w * x**k for x, w in zip(nodes, weights)), flint.arb(0))
            exact = 0 if k % 2 else sympy.factorial2(k - 1)
            assert moment.contains(flint.arb(int(exact))) and moment.rad() < 1e-50
        with mpmath.workdps(50):
            xs, ws = nfr.gauss_hermite(6)
            for x, w, xb, wb in zip(xs, ws, nodes, weights):
                assert abs(x - mpmath.mpf(xb.mid().str(50, radius=False))) < mpmath.mpf("1e-40")
                assert abs(w - mpmath.mpf(wb.mid().str(50, radius=False))) < mpmath.mpf("1e-40")
    finally:
        flint.ctx.prec = saved


@pytest.mark.parametrize("case", ["q1", "q2"])
def test_certified_ridge_fit_contains_the_exact_wick_values(case):
    """The arb ridge fit's balls (radius < 1e-30) contain the exact coefficients, loss and
    objective of the theory layer's Wick route; with μ = 1/9 in place of 1/10 they do not."""
    z, z1, z2 = sympy.symbols("z z1 z2", real=True)
    M2 = sympy.Matrix([[R(2, 5), R(-1, 5)], [R(1, 10), R(3, 10)]])
    link, zs, M = ((z + z**2 / 2 + z**3, [z], sympy.Matrix([[R(3, 5)]])) if case == "q1" else
                   (z1 + z1 * z2 + z2**3 / 3, [z1, z2], M2))
    problem = tfr.ridge_problem(link, zs, M, R(1, 2))
    c = problem.coefficients(R(1, 10))
    exact = list(c) + [problem.loss(c), problem.objective(c, R(1, 10))]
    for mu, inside in ((R(1, 10), True), (R(1, 9), False)):
        fit = nfr.certified_ridge_fit(link, zs, M.tolist(), R(1, 2), mu, 30)
        balls = list(fit.coefficients) + [fit.loss, fit.objective]
        assert max(float(b.rad()) for b in balls) < 1e-30
        with mpmath.workdps(60):
            hits = [abs(mpmath.mpf(sympy.N(e, 60)) - mpmath.mpf(b.mid().str(60, radius=False)))
                    <= mpmath.mpf(b.rad().str(5, radius=False)) for e, b in zip(exact, balls)]
        assert all(hits) if inside else not all(hits)


def test_certified_fit_refuses_an_overlap_outside_the_unit_ball():
    z = sympy.Symbol("z", real=True)
    with pytest.raises(InputError, match="‖M‖_op < 1"):
        nfr.certified_ridge_fit(z**2, [z], [[1]], R(1, 2), R(1, 4), 20)


def test_certified_fit_of_an_irrational_link_and_a_rule_without_nodes():
    """f* = √2 h1 at m = 3/5, λ₁ = r = 1/2, μ = 1/10: c₁ = √2 m λ₁/(λ₁ + μ) = √2/2 inside its ball
    (the irrational coefficient enters as a ball); a rule needs at least one node."""
    z = sympy.Symbol("z", real=True)
    fit = nfr.certified_ridge_fit(sympy.sqrt(2) * z, [z], [[R(3, 5)]], R(1, 2), R(1, 10), 30)
    c1 = fit.coefficients[1]
    with mpmath.workdps(80):
        gap = abs(mpmath.mpf(c1.mid().str(75, radius=False)) - mpmath.sqrt(2) / 2)
        assert gap <= mpmath.mpf(c1.rad().str(5, radius=False)) + mpmath.mpf(10) ** -70
    assert float(c1.rad()) < 1e-30
    with pytest.raises(InputError, match="need n ≥ 1 nodes"):
        nfr.hermite_rule_balls(0)
