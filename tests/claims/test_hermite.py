"""The Hermite and kernel claims can fail: each true statement PASSes, and the same check with a
plausible wrong formula injected on the exact side FAILs (the judge is the claim's own); the
certified ones report CERTIFIED."""

import math

import pytest
import sympy

from gfverify.claims import registry
from gfverify.claims.statements import hermite as claims
from gfverify.theory import hermite as exact

DPS = 30


def _run(claim_id: str):
    return registry.get(claim_id).run(DPS)


def _scaled(factor):
    """hermite_coefficients with α_k multiplied by factor(k)."""
    original = exact.hermite_coefficients

    def wrong(f, kmax):
        return [a * factor(k) for k, a in enumerate(original(f, kmax))]
    return wrong


@pytest.mark.parametrize("claim_id, factor", [
    # He_k instead of h_k: the sqrt(k!) of the normalization forgotten
    ("hermite.coefficients.sign", lambda k: sympy.sqrt(sympy.factorial(k))),
    # one tiny coefficient off by 0.1%: α_30 of exp(z/2) is 6e-26, below the old absolute 1e-25
    ("hermite.coefficients.exp", lambda k: sympy.Rational(1001, 1000) if k == 30 else 1),
])
def test_coefficients_fail_when_the_exact_side_is_wrong(monkeypatch, claim_id, factor):
    assert _run(claim_id).status == "CERTIFIED"
    monkeypatch.setattr(exact, "hermite_coefficients", _scaled(factor))
    assert _run(claim_id).status == "FAIL"


def test_parseval_fails_with_the_norm_of_the_other_erf(monkeypatch):
    assert _run("hermite.parseval.erf").status == "PASS"
    original = exact.norm_squared
    # the trap erf(z) vs erf(z/sqrt 2): the norm of the other one
    monkeypatch.setattr(exact, "norm_squared",
                        lambda f: original(f.subs(exact.Z, exact.Z / sympy.sqrt(2))))
    assert _run("hermite.parseval.erf").status == "FAIL"


def test_certified_parseval_fails_with_a_wrong_norm(monkeypatch):
    """exp(z/2): ‖f‖² = e^{1/2} lies in the certified ball of Σ α_k²; e^{1/4} does not."""
    assert _run("hermite.parseval.exp").status == "CERTIFIED"
    monkeypatch.setattr(exact, "norm_squared", lambda f: sympy.exp(sympy.Rational(1, 4)))
    assert _run("hermite.parseval.exp").status == "FAIL"


def test_information_exponent_fails_when_off_by_one(monkeypatch):
    assert _run("hermite.information_exponent").status == "CERTIFIED"
    original = exact.information_exponent
    monkeypatch.setattr(exact, "information_exponent", lambda alphas: original(alphas) + 1)
    assert _run("hermite.information_exponent").status == "FAIL"


def test_orthonormality_fails_for_unnormalized_polynomials(monkeypatch):
    original = exact.h
    monkeypatch.setattr(exact, "h", lambda k, z=exact.Z: original(k, z) * math.factorial(k) ** 0.5
                        if k >= 2 else original(k, z))
    assert _run("hermite.orthonormality").status == "FAIL"


def test_erf_trap_and_its_positive_twin_differ():
    """The control ((2/π) arcsin ρ is erf's kernel) and its twin ((2/π) arcsin(2ρ/3) is) go
    through the same judge; the statement is false for one and true for the other."""
    trap = _run("A.kernel.erf_unscaled_trap")
    twin = _run("A.kernel.erf_arcsine")
    assert trap.status == "PASS" and not trap.evidence.holds
    assert twin.status == "CERTIFIED" and twin.evidence.holds


def test_kernel_fails_with_a_wrong_closed_form():
    z = exact.Z
    def wrong(rho):
        return (sympy.sqrt(1 - rho**2) + (sympy.pi - sympy.acos(rho)) * rho**2) / (2 * sympy.pi)

    ev = claims.kernel(DPS, f=sympy.Max(z, 0), closed=wrong, citation="arc-cosine with rho^2")
    assert not ev.holds
