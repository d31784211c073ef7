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


def test_objective_is_the_minimum_and_its_envelope_drives_the_flow():
    """J_μ(m) = J(m, c_μ(m)) is the minimum over c (the gradient in c vanishes there and the Hessian
    G + μΛ⁻¹ is positive), and by the envelope theorem ṁ = −(1 − m²) dJ_μ/dm is ridge_rhs."""
    alphas = {1: a1, 2: a2}
    P = fr.single_index_problem(alphas)
    c = P.coefficients()
    J = P.objective(c)
    cs = sympy.symbols("c0:4", real=True)
    free = P.objective(sympy.Matrix(cs))
    for k in range(4):
        assert sympy.simplify(sympy.diff(free, cs[k]).subs(dict(zip(cs, c)))) == 0
    assert sympy.simplify(-(1 - m**2) * sympy.diff(J, m) - fr.ridge_rhs(P)) == 0
    # the loss alone is not minimal at c_μ: its c-gradient is −μΛ⁻¹c_μ
    loss = P.loss(sympy.Matrix(cs))
    assert sympy.simplify(sympy.diff(loss, cs[1]).subs(dict(zip(cs, c))) + mu * c[1] / r) == 0


def test_loss_and_objective_of_one_term_in_closed_form():
    """f* = a h1: c = a m λ/(λ + μ), L_μ = ½a²(1 − m²(2λ(λ + μ) − λ²)/(λ + μ)²) and
    J_μ = ½a²(1 − m²λ/(λ + μ))."""
    P = fr.single_index_problem({1: a1})
    c = P.coefficients()
    lam = r
    shrink = (2 * lam * (lam + mu) - lam**2) / (lam + mu) ** 2
    assert sympy.simplify(P.loss(c) - a1**2 / 2 * (1 - m**2 * shrink)) == 0
    assert sympy.simplify(P.objective(c) - a1**2 / 2 * (1 - m**2 * lam / (lam + mu))) == 0


def test_kernel_eigenvalues_and_the_single_index_link():
    z = sympy.Symbol("z", real=True)
    assert fr.kernel_eigenvalue((2, 1), R(1, 3)) == R(1, 27) and fr.kernel_eigenvalue((0, 0)) == 1
    link = fr.single_index_link({1: a1, 3: a2}, z)
    assert sympy.expand(link - a1 * z - a2 * (z**3 - 3 * z) / sympy.sqrt(6)) == 0


def test_flow_of_the_loss_differs_from_the_flow_of_the_objective():
    """f* = h1 + ½h2, r = ½: at μ > 0 the flows of J_μ and of L_μ differ (the loss is not minimal
    at c_μ); both tend to the reduced ODE of A10 as μ → 0."""
    z = sympy.Symbol("z", real=True)
    link = fr.single_index_link({1: R(1), 2: R(1, 2)}, z)
    obj, Mo = fr.ridge_reduced_rhs(link, [z], R(1, 2), mu)
    los, Ml = fr.ridge_reduced_rhs(link, [z], R(1, 2), mu, of="loss")
    assert sympy.simplify(obj[0, 0] - los[0, 0].subs(Ml[0, 0], Mo[0, 0])) != 0
    want = ro.single_index_rhs({1: R(1), 2: R(1, 2)}, Mo[0, 0])
    assert sympy.expand(fr.limit_at_zero(obj[0, 0]) - want) == 0
    assert sympy.expand(fr.limit_at_zero(los[0, 0]) - want) == 0


def test_bad_overlap_shape_and_link_name_their_reason():
    z = sympy.Symbol("z", real=True)
    with pytest.raises(InputError, match="needs a polynomial"):
        fr.ridge_problem(sympy.tanh(z), [z], sympy.Matrix([[R(1, 2)]]))
    with pytest.raises(InputError, match="must be 1x1, got 2x2"):
        fr.ridge_problem(z**2, [z], sympy.eye(2) / 2)
    with pytest.raises(InputError, match="objective or of the loss"):
        fr.ridge_reduced_rhs(z, [z], R(1, 2), R(1, 10), of="penalty")


def test_limit_at_zero_of_a_quotient_that_vanishes_over_zero():
    """sin μ/μ → 1 and (1 − cos μ)/μ² → ½: the reduced denominator vanishes at 0, so sympy's limit
    decides; 1/μ → ∞ (from the right)."""
    assert fr.limit_at_zero(sympy.sin(mu) / mu) == 1
    assert fr.limit_at_zero((1 - sympy.cos(mu)) / mu**2) == R(1, 2)
    assert fr.limit_at_zero(1 / mu) == sympy.oo
