"""Claims on the averaging operator (A1–A3): `gfverify show A.semigroup` prints the derivation
and the evidence; the negative control is shown false with a margin; wrong formulas (the
product reversed, the adjoint without its transpose, the sign of ab lost, A_0 as evaluation at
0) FAIL through the same judge while the true ones PASS."""

import subprocess
import sys

import mpmath
import sympy

from gfverify.claims.judge import enclosure, exact_identity, numeric_pair
from gfverify.claims.statements import averaging as A
from gfverify.numerics.averaging import average_here, inner_average_here
from gfverify.numerics.certified_kernels import conditional_mean
from gfverify.numerics.precision import tolerance
from gfverify.theory.averaging import average
from gfverify.theory.witnesses import LINKS, Z1, ZS, symbolic


def test_show_semigroup_prints_derivation_and_evidence():
    out = subprocess.run([sys.executable, "-m", "gfverify", "show", "A.semigroup"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "derivation" in out.stdout and "I − (NM)ᵀ(NM)" in out.stdout
    assert '"status": "PASS"' in out.stdout


def test_negative_control_is_false_with_a_margin():
    ev = A.semigroup_order(30)
    assert ev.holds is False and ev.residual != 0


# --- a wrong statement FAILS through the same judge (issue 10, Build 7) ---------------------

def test_semigroup_with_the_product_reversed_fails(verdict):
    def law(product):
        return lambda dps: exact_identity(A.semigroup_differences((2,), product), "semigroup")
    assert verdict(law(lambda N, M: N * M), "A3") == "PASS"
    assert verdict(law(lambda N, M: M * N), "A3") == "FAIL"


def test_adjoint_without_the_transpose_fails(verdict):
    """⟨A_N f, g⟩ = ⟨f, A_N g⟩ (no transpose) is false for the non-symmetric witness N."""
    zs = ZS[2]
    f = sympy.tanh((A.ADJOINT_A.T * sympy.Matrix(zs))[0, 0])
    g = sympy.erf((A.ADJOINT_C.T * sympy.Matrix(zs))[0, 0])

    def against(K):
        return lambda dps: numeric_pair(lambda p: inner_average_here(f, g, A.ADJOINT_N, zs),
                                        lambda p: A.ridge_erf_pairing(A.ADJOINT_A, A.ADJOINT_C, K),
                                        dps, "adjoint")
    assert verdict(against(A.ADJOINT_N.T), "A2", dps=12) == "PASS"
    assert verdict(against(A.ADJOINT_N), "A2", dps=12) == "FAIL"


def test_semigroup_numeric_with_the_sign_of_ab_lost_fails(verdict):
    """A_a A_b = A_{|ab|} (the correlations' product without its sign) FAILS."""
    a, b, z0 = A.SEMIGROUP_POINT.values()

    def against(c):
        return lambda dps: numeric_pair(lambda p: A.nested_sign_average(a, b, z0),
                                        lambda p: average_here(sympy.sign(Z1), [[c]], [Z1], [z0]),
                                        dps, "semigroup")
    assert verdict(against(a * b), "A3", dps=10) == "PASS"
    assert verdict(against(abs(a * b)), "A3", dps=10) == "FAIL"


def test_endpoint_zero_as_evaluation_at_zero_fails(verdict):
    """A_0 g = g(0) (instead of E[g]) FAILS, exactly and against the near-zero Mehler route."""
    zs, N, f = ZS[2], symbolic("n", 2), LINKS[2]
    at_zero = average(f, N, zs).xreplace({n: 0 for n in N})
    assert verdict(lambda dps: exact_identity(A.endpoint_differences((2,)), "ends"), "A3") == "PASS"
    assert verdict(lambda dps: exact_identity(at_zero - f.subs({z: 0 for z in zs}), "A_0 f = f(0)"),
                   "A3") == "FAIL"
    assert verdict(lambda dps: numeric_pair(A.near_zero, lambda p: mpmath.tanh(mpmath.mpf(0)) ** 2, dps,
                                            "A_δ tanh² vs tanh²(0)"), "A3", dps=15) == "FAIL"


def test_certified_routes_hold_and_wrong_closed_forms_fail(verdict):
    """The certified enclosures of A.conditional_expectation_relu and A.semigroup_numeric: the
    true closed forms are CERTIFIED; E[relu] at −z (the conditional mean's sign lost) and
    A_{|ab|} sign FAIL through the same judge and the same balls."""
    m, z0 = sympy.Rational(3, 5), sympy.Rational(-7, 10)
    ball = A.certified_average(sympy.Max(Z1, 0), m, z0, 30)
    for closed, status in ((A._relu_conditional_closed(m, z0), "CERTIFIED"),
                           (A._relu_conditional_closed(m, -z0), "FAIL")):
        assert verdict(lambda dps: enclosure(closed, ball, tolerance(dps), "relu"), "A1") == status
    a, b, z0 = A.SEMIGROUP_POINT.values()
    ball = A.certified_average(conditional_mean(sympy.sign(Z1), b, Z1, Z1), a, z0, 30)
    for c, status in ((a * b, "CERTIFIED"), (abs(a * b), "FAIL")):
        closed = sympy.erf(c * z0 / sympy.sqrt(2 * (1 - c**2)))
        assert verdict(lambda dps: enclosure(closed, ball, tolerance(dps), "semigroup"), "A3") == status


def test_near_identity_taken_as_the_identity_fails_in_the_certified_ball(verdict):
    """(A_s tanh)(−1/3) at s = 1 − 10⁻⁸: the heat expansion is CERTIFIED in the ball; tanh(−1/3)
    itself (A_s = id, the limit taken as an equality; 9·10⁻⁹ away) FAILs through the same judge."""
    ball = A.certified_average(sympy.tanh(Z1), 1 - A.EPS, A.NEAR_I_TANH, 30)
    with mpmath.workdps(40):
        heat = A.near_identity(40)[1]
    for value, status in ((heat, "CERTIFIED"), (sympy.tanh(A.NEAR_I_TANH), "FAIL")):
        assert verdict(lambda dps: enclosure(value, ball, tolerance(dps), "A_s tanh"), "A3") == status
