"""The symbolic side of docs/theory.md [B]: each identity vanishes, and perturbed versions do not."""

import mpmath
import sympy

from gfverify.theory import interpolation as I


def _all_zero(exprs):
    return all(sympy.simplify(e) == 0 for e in exprs)


def test_chain_rule_standard_and_adapted():
    assert _all_zero(I.chain_rule_output_velocity())
    assert _all_zero(I.chain_rule_output_velocity(adapted=True))


def test_projector_properties():
    assert _all_zero(I.projector_properties())


def test_penrose_conditions_hold_for_the_formula_and_fail_for_the_transpose():
    D = I.generic_matrix("d", 2, 3)
    assert all(e == 0 for e in I.penrose_residuals(D, I.pinv_full_row_rank(D).applyfunc(sympy.cancel)))
    values = {v: sympy.Integer(i + 2) ** (i % 3) - i for i, v in enumerate(sorted(D.free_symbols, key=str))}
    assert any(e.subs(values) != 0 for e in I.penrose_residuals(D, D.T))


def test_homotopy_factorization_and_kernel():
    assert _all_zero(I.homotopy_factorization())
    assert _all_zero(I.homotopy_kernel())


def test_homotopy_singular_values_positive_on_unit_interval():
    lam = I.homotopy_eigenvalue()
    sigma = [s for s in lam.free_symbols if s.name == "sigma"][0]
    for a in (0, sympy.Rational(1, 3), 1):
        for s in (sympy.Rational(1, 10), 1, 7):
            assert lam.subs({I.ALPHA: a, sigma: s}) > 0


def test_full_rank_solution():
    sol = I.full_rank_solution()
    assert sympy.simplify(sol["x_s"] - sol["claimed"]) == 0
    assert sympy.simplify(sol["x_t"] - sol["line"]) == 0
    assert sympy.simplify(sol["cost_ratio"] - (1 - I.T_) ** 2) == 0
    # a wrong time change does not give the line
    wrong = sol["x_s"].subs(I.S_, -I.N_ * sympy.log(1 - I.T_) / 2)
    assert sympy.simplify(wrong - sol["line"]) != 0


def test_duhamel():
    assert _all_zero(I.duhamel_derivative())
    assert sympy.simplify(I.duhamel_bound_factor() - I.T_) == 0


def test_cross_entropy():
    ce = I.cross_entropy()
    assert ce["row_sum_of_grad"] == 0
    assert ce["limit_row_sum_minus_initial"] == 0
    assert _all_zero(ce["grad_at_limit"])
    # the centred log y alone is also a critical point, but it does not keep the row sum of x(0)
    logy = ce["limit"].applyfunc(lambda e: e.subs({s: 0 for s in e.free_symbols if s.name.startswith("xi")}))
    assert sympy.simplify(sum(logy) - sum(I.generic_vector("xi", 3))) != 0


def test_full_rank_time_change_puts_the_solution_on_the_line():
    """dsolve's x(s) equals the segment point (1 − t)x0 + t y at t = t(s), and t(s) inverts
    s(t) = −N log(1 − t)."""
    sol = I.full_rank_solution()
    t_of_s = sol["t_of_s"]
    assert sympy.simplify(sol["x_s"] - sol["line"].subs(I.T_, t_of_s)) == 0
    assert sympy.simplify(t_of_s.subs(I.S_, -I.N_ * sympy.log(1 - I.T_)) - I.T_) == 0


def test_cross_entropy_gradient_against_finite_differences():
    """The returned ∇c at a point against mpmath's numerical derivative of the cost written out
    independently, c(x) = −Σ_q y_q log(e^{x_q} / Σ_r e^{x_r}) (the row-sum and critical-point
    identities above hold for −∇c as well, so they cannot tell the sign)."""
    ce = I.cross_entropy()
    x0 = [sympy.Rational(3, 10), sympy.Rational(-6, 5), sympy.Rational(1, 2)]
    ys = [sympy.Rational(1, 5), sympy.Rational(3, 10), sympy.Rational(1, 2)]
    point = {v: (x0 if v.name[0] == "x" else ys)[int(v.name[1:])]
             for g in ce["grad"] for v in g.free_symbols}
    with mpmath.workdps(40):
        y = [mpmath.mpf(sympy.N(v, 45)) for v in ys]

        def cost(*x):
            lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in x))
            return -mpmath.fsum(yq * (xq - lse) for yq, xq in zip(y, x))

        at = [mpmath.mpf(sympy.N(v, 45)) for v in x0]
        for q, g in enumerate(ce["grad"]):
            partial = mpmath.diff(cost, at, tuple(int(r == q) for r in range(3)))
            assert abs(mpmath.mpf(sympy.N(g.subs(point), 45)) - partial) < mpmath.mpf(10) ** -30


def test_homotopy_singular_value_ends():
    # α = 0 is the standard flow (Dᵀ: σ), α = 1 the adapted flow (D⁺: 1/σ)
    lam = I.homotopy_eigenvalue()
    sigma = [s for s in lam.free_symbols if s.name == "sigma"][0]
    assert sympy.simplify(lam.subs(I.ALPHA, 0) - sigma) == 0
    assert sympy.simplify(lam.subs(I.ALPHA, 1) - 1 / sigma) == 0


def test_output_kernel_ends():
    D = I.generic_matrix("d", 2, 3)
    P = sympy.eye(2)
    assert I.output_kernel(D, P, 0) == D * D.T
    assert I.output_kernel(D, P, 1) == P
