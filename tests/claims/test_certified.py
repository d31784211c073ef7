"""CERTIFIED in claims: the enclosure judge certifies a right closed form, FAILs a wrong one (same
judge, same balls), refuses a ball too wide to decide (precision guard); a check forced to too
low a precision FAILs the two-precision comparison; ``hermite --certify`` prints the balls."""

import json

import mpmath
import sympy

from gfverify.claims import cli
from gfverify.claims.judge import enclosure, versus_numeric
from gfverify.numerics.certified import hermite_enclosures
from gfverify.numerics.certified_kernels import certified_kernel
from gfverify.numerics.precision import tolerance
from gfverify.theory import hermite as exact

z = exact.Z
HALF = sympy.Rational(1, 2)


def test_right_closed_form_certified_wrong_one_fails(verdict):
    """erf's kernel (2/π) arcsin(2ρ/3) lies in the certified ball; sign's (2/π) arcsin ρ,
    the classic trap, lies outside it."""
    def check(closed):
        return lambda dps: enclosure(closed, certified_kernel(sympy.erf(z), HALF, dps),
                                     tolerance(dps), "erf kernel")
    assert verdict(check(2 / sympy.pi * sympy.asin(2 * HALF / 3)), "A8") == "CERTIFIED"
    assert verdict(check(2 / sympy.pi * sympy.asin(HALF)), "A8") == "FAIL"


def test_coefficients_certified_and_a_forgotten_normalization_fails(verdict):
    def check(values):
        return lambda dps: enclosure(values, hermite_enclosures(sympy.Max(z, 0), 8, dps).balls,
                                     tolerance(dps), "relu coefficients")
    right = exact.hermite_coefficients(sympy.Max(z, 0), 8)
    wrong = [a * sympy.sqrt(sympy.factorial(k)) for k, a in enumerate(right)]  # He_k, not h_k
    assert verdict(check(right), "C2") == "CERTIFIED"
    assert verdict(check(wrong), "C2") == "FAIL"


def test_a_ball_too_wide_to_decide_fails(verdict):
    """Balls computed at 10 digits judged at 30: they prove nothing either way, so the
    precision guard FAILs the claim (for a negative control too)."""
    right = exact.hermite_coefficients(sympy.sign(z), 4)

    def check(dps):
        return enclosure(right, hermite_enclosures(sympy.sign(z), 4, 10).balls, tolerance(dps),
                         "sign coefficients at 10 digits")
    assert verdict(check, "C2") == "FAIL"
    assert verdict(check, "C2", kind="negative-control") == "FAIL"


def test_too_low_a_precision_fails_the_two_precision_comparison(verdict):
    """The arcsine kernel of erf as E_y[erf(y) erf(y/√10)] (A_ρ erf at ρ = 1/2) by mpmath's
    quad, forced to a third of the digits the claim asks for: the runs at 30 and 45 digits
    become runs at 10 and 15, which disagree beyond the tolerance 10^-25 -- the precision guard
    FAILs it, where the same check at full precision PASSes."""
    closed = 2 / sympy.pi * sympy.asin(2 * HALF / 3)

    def quad(p: int) -> mpmath.mpf:
        return mpmath.quad(lambda y: mpmath.erf(y) * mpmath.erf(y / mpmath.sqrt(10)) * mpmath.npdf(y),
                           [-mpmath.inf, 0, mpmath.inf])

    def check(shrink):
        def numeric(p):
            with mpmath.workdps(p // shrink):
                return quad(p)
        return lambda dps: versus_numeric(closed, numeric, dps, "erf kernel by 1-D quadrature")
    assert verdict(check(1), "A8") == "PASS"
    assert verdict(check(3), "A8") == "FAIL"


def test_hermite_certify_json(capsys):
    assert cli.main(["hermite", "tanh(z)", "--kmax", "100", "--dps", "50", "--certify", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    balls = payload["enclosures"]
    assert len(balls) == 101 and payload["method"].startswith("certified")
    assert all(mpmath.mpf(b["rad"]) < mpmath.mpf("1e-50") for b in balls)
    assert balls[0] == {"mid": "0", "rad": "0"}
    with mpmath.workdps(60):
        assert abs(mpmath.mpf(balls[1]["mid"]) - mpmath.mpf(payload["alpha"][1])) < mpmath.mpf("1e-49")


def test_hermite_certify_says_why_not(capsys):
    """A kink at an irrational point: no certificate, the reason, and the usual answer."""
    assert cli.main(["hermite", "Heaviside(z - sqrt(2))", "--kmax", "3", "--dps", "15",
                     "--certify", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["enclosures"] is None and "not rational" in payload["not_certified"]
    assert payload["method"].startswith("exact")  # the closed form still answers


def test_the_judge_resolves_differences_far_below_double_precision():
    """A closed form off by 10^-31 lies outside a ball of radius ~5e-34 (the exact side is a
    ball at the judge's own precision, not rounded to 53 bits)."""
    ball = certified_kernel(sympy.erf(z), HALF, 30)
    right = 2 / sympy.pi * sympy.asin(2 * HALF / 3)
    assert enclosure(right, ball, tolerance(30), "erf kernel").certified
    assert not enclosure(right + sympy.Rational(1, 10**31), ball, tolerance(30), "erf kernel").holds


def test_two_certified_routes_agree_and_a_wrong_series_fails(verdict):
    """Mehler's series against the conditioned integral (both balls, A.kernel_cross's judge);
    the series at ρ² (Σ α_k β_k ρ^{2k}) lies outside the other route's ball."""
    from gfverify.numerics.certified_kernels import certified_correlation, mehler_series

    f, g, rho = sympy.Max(z, 0), sympy.sign(z), sympy.Rational(1, 3)

    def check(series_rho):
        return lambda dps: enclosure(mehler_series(f, g, series_rho, dps),
                                     certified_correlation(f, g, rho, dps), tolerance(dps), "cross")
    assert verdict(check(rho), "A8") == "CERTIFIED"
    assert verdict(check(rho**2), "A8") == "FAIL"
