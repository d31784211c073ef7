"""Finite ridge (A19): the flow with the ridge link is the gradient flow of the objective value
(PASS) and not of the loss at f_μ (its twin FAILs through the same judge); a wrong ridge factor
(λ/(λ + μ))² FAILs against the derived coefficients."""

import sympy

from gfverify.claims.judge import exact_identity
from gfverify.claims.statements import finite_ridge as FR
from gfverify.theory import finite_ridge as fr


def test_envelope_twin_verdicts_differ(verdict):
    alphas = {1: FR.ALPHA[0], 2: FR.ALPHA[1]}
    assert verdict(lambda dps: FR._envelope("objective", alphas), "A19") == "PASS"
    assert verdict(lambda dps: FR._envelope("loss", alphas), "A19") == "FAIL"


def test_squared_shrinkage_factor_fails(verdict):
    case = FR.CASES[""]
    problem = fr.ridge_problem(case["link"], case["zs"], case["Mmat"], FR.KERNEL_R)
    c = problem.coefficients(FR.RIDGE)
    one, zero = sympy.Integer(1), sympy.Integer(0)
    plain = FR.typed_link(case["link"], case["zs"], case["Mmat"], problem.betas, one, zero)

    def against(power):
        factors = [(lam / (lam + FR.RIDGE)) ** power for lam in problem.lam]
        return lambda dps: exact_identity([ci - f * p for ci, f, p in zip(c, factors, plain)], "A19")
    assert verdict(against(1), "A19") == "PASS"
    assert verdict(against(2), "A19") == "FAIL"
    assert sympy.simplify(sum(plain) - sum(problem.b)) == 0


def test_certified_ridge_fit_judges_the_shrinkage(verdict):
    """The judge of A.finite_ridge_link: A19's coefficients (factor λ/(λ + μ)) inside the arb
    balls of the certified quadrature fit: CERTIFIED; the unshrunk ⟨A_{Mᵀ}f*, h_β⟩: FAIL."""
    from gfverify.claims.judge import enclosure
    from gfverify.numerics import finite_ridge as nfr
    from gfverify.numerics.precision import tolerance

    case = FR.CASES[""]
    problem = fr.ridge_problem(case["link"], case["zs"], case["Mmat"], FR.KERNEL_R)
    one, zero = sympy.Integer(1), sympy.Integer(0)
    plain = FR.typed_link(case["link"], case["zs"], case["Mmat"], problem.betas, one, zero)
    shrunk = FR.typed_link(case["link"], case["zs"], case["Mmat"], problem.betas, FR.KERNEL_R, FR.RIDGE)

    def judge(values):
        return lambda dps: enclosure(values, nfr.certified_ridge_fit(
            case["link"], case["zs"], case["Mmat"].tolist(), FR.KERNEL_R, FR.RIDGE, dps).coefficients,
            tolerance(dps), "ridge coefficients")
    assert verdict(judge(shrunk), "A19") == "CERTIFIED"
    assert verdict(judge(plain), "A19") == "FAIL"
