"""Tests of the exact averaging operator: property tests on random rational contractions and
polynomial links, the Hermite tensor action, and the bad-input errors."""

import pytest
import sympy
from hypothesis import HealthCheck, given, settings

from gfverify.errors import InputError
from gfverify.numerics.strategies import contractions, multivariate_polynomial_links, psd_pairs
from gfverify.theory.averaging import (
    average,
    average_hermite_tensor,
    expectation,
    hermite_tensor_polynomial,
    inner,
    planted_loss,
    psi,
    reduced_loss,
    tensor_power_action,
    validate_contraction,
    validate_stiefel,
)
from gfverify.theory.hermite import h
from gfverify.theory.wick import gaussian_expectation

Z1, Z2 = sympy.symbols("z1 z2", real=True)
ZS = [Z1, Z2]
Y1, Y2 = sympy.symbols("y1 y2", real=True)
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
links = multivariate_polynomial_links(ZS, max_degree=3, max_terms=4)


@SETTINGS
@given(contractions(2), contractions(2), links)
def test_semigroup(N, M, f):
    assert sympy.expand(average(average(f, M, ZS), N, ZS) - average(f, N * M, ZS)) == 0


@SETTINGS
@given(contractions(2), links, links)
def test_adjoint(N, f, g):
    assert inner(average(f, N, ZS), g, ZS) == inner(f, average(g, N.T, ZS), ZS)


@SETTINGS
@given(contractions(2), links)
def test_contraction(N, f):
    Af = average(f, N, ZS)
    assert inner(Af, Af, ZS) <= inner(f, f, ZS)


@SETTINGS
@given(psd_pairs(2), links)
def test_monotonicity(pair, f):
    G, Gp = pair
    assert psi(f, G, ZS) <= psi(f, Gp, ZS)


@SETTINGS
@given(contractions(2), links, links)
def test_conditional_expectation_against_joint_law(M, fstar, g):
    """E[f*(z*) g(z)] by Wick on the joint law of (z*, z) (cross-covariance M) = <A_{Mᵀ} f*, g>."""
    joint = sympy.Matrix(sympy.BlockMatrix([[sympy.eye(2), M], [M.T, sympy.eye(2)]]))
    lhs = gaussian_expectation(fstar.subs({Z1: Y1, Z2: Y2}, simultaneous=True) * g,
                               [Y1, Y2, Z1, Z2], joint)
    assert lhs == inner(average(fstar, M.T, ZS), g, ZS)


def test_mehler_symbolic():
    rho = sympy.Symbol("rho")
    for k in range(7):
        assert sympy.expand(average(h(k, Z1), [[rho]], [Z1]) - rho**k * h(k, Z1)) == 0


def test_endpoints():
    f = Z1**3 * Z2 - Z2**2 + 4
    assert sympy.expand(average(f, sympy.eye(2), ZS) - f) == 0
    assert average(f, sympy.zeros(2, 2), ZS) == expectation(f, ZS) == 3


def test_semigroup_order_matters():
    N = sympy.Matrix([[sympy.Rational(1, 2), sympy.Rational(1, 2)], [0, sympy.Rational(1, 2)]])
    M = sympy.Matrix([[sympy.Rational(1, 2), 0], [sympy.Rational(1, 2), sympy.Rational(1, 3)]])
    assert sympy.expand(average(average(Z1, M, ZS), N, ZS) - average(Z1, M * N, ZS)) != 0


def test_tensor_action_symbolic():
    N = sympy.Matrix(2, 2, sympy.symbols("a b c d", real=True))
    T = sympy.MutableDenseNDimArray.zeros(2, 2, 2)
    T[0, 0, 1] = T[0, 1, 0] = T[1, 0, 0] = 1
    T[1, 1, 1] = -2
    lhs = average(hermite_tensor_polynomial(T, ZS), N, ZS)
    assert sympy.expand(lhs - average_hermite_tensor(T, N, ZS)) == 0


def test_tensor_power_action_order_one():
    N = sympy.Matrix([[1, 2], [3, 4]])
    T = sympy.Array([5, 7])
    assert list(tensor_power_action(N, T)) == list(N * sympy.Matrix([5, 7]))


def test_contraction_errors_one_line():
    with pytest.raises(InputError) as exc:
        average(Z1, [[sympy.Rational(3, 2)]], [Z1])
    assert "contraction" in str(exc.value) and "1.5" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(InputError):
        validate_contraction([[1, 1], [0, 1]])
    with pytest.raises(InputError):
        validate_contraction([[0.6, 0.8000001], [0, 0]])
    validate_contraction([[0.6, 0.8], [0, 0]])  # on the boundary to double rounding
    validate_contraction([[0, 1], [-1, 0]])  # orthogonal: ‖N‖ = 1 exactly
    with pytest.raises(InputError):
        average(Z1, [[1, 0], [0, 1]], [Z1])  # shape does not match the link


def test_stiefel_errors_one_line():
    validate_stiefel([[sympy.Rational(3, 5)], [sympy.Rational(4, 5)], [0]])
    with pytest.raises(InputError) as exc:
        validate_stiefel([[1, 0], [0, 1], [0, sympy.Rational(1, 10)]])
    assert "orthonormal" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(InputError):
        validate_stiefel([[1, 0, 0], [0, 1, 0]])  # d < q


def test_operator_norm_in_the_error_message():
    with pytest.raises(InputError) as exc:
        validate_contraction(2 * sympy.eye(3))  # repeated singular value
    assert "2.00000000000" in str(exc.value)
    with pytest.raises(InputError) as exc:
        validate_contraction([[1.0, 1.0], [0.0, 1.0]])
    assert "1.61803398875" in str(exc.value)


def test_reduced_and_planted_losses_single_index():
    """He_3 with M = m: reduced ½·6 − ½·6m⁶, planted 6 − 6m³."""
    m = sympy.Rational(2, 3)
    f = h(3, Z1) * sympy.sqrt(6)
    assert sympy.simplify(reduced_loss(f, [[m]], [Z1]) - 3 * (1 - m**6)) == 0
    assert sympy.simplify(planted_loss(f, [[m]], [Z1]) - 6 * (1 - m**3)) == 0


def test_a_wide_or_tall_matrix_is_not_a_contraction_of_r_q():
    """N acts on R^q, so it is square (mutation triage, seed 11: a 1×3 N with ‖N‖ = 1/2 was let
    through when only rows > cols was refused)."""
    for N in ([[sympy.Rational(1, 2), 0, 0]], [[sympy.Rational(1, 2)], [0], [0]]):
        with pytest.raises(InputError, match="must be square"):
            validate_contraction(N)


def test_a_complex_matrix_is_not_a_real_contraction():
    with pytest.raises(InputError, match="must be real"):
        validate_contraction([[sympy.I / 2]])
    validate_contraction([[sympy.Rational(1, 2)]])  # the real twin


def test_norm_one_that_sympy_cannot_simplify_is_a_contraction():
    """N = sin²1 + cos²1 = 1: 1 − N² is an exact zero sympy cannot decide, settled at 50 digits;
    N + 10⁻⁴⁰ is not a contraction, N − 10⁻⁴⁰ is."""
    one = sympy.sin(1) ** 2 + sympy.cos(1) ** 2
    assert validate_contraction([[one]])[0, 0] == one
    validate_contraction([[one - sympy.Rational(1, 10**40)]])
    with pytest.raises(InputError, match="contraction"):
        validate_contraction([[one + sympy.Rational(1, 10**40)]])


def test_a_symbolic_stiefel_point_passes_but_its_shape_is_checked():
    c, s = sympy.symbols("c s", real=True)
    W = validate_stiefel([[c], [s]])  # orthonormal iff c² + s² = 1: the caller's business
    assert W.shape == (2, 1) and W[0, 0] == c
    with pytest.raises(InputError, match="d ≥ q"):
        validate_stiefel([[c, s]])


def test_hermite_tensor_of_the_wrong_shape_is_refused():
    with pytest.raises(InputError, match="shape"):
        hermite_tensor_polynomial(sympy.Array([1, 2, 3]), ZS)
    # the matching twin: T = (1, 2) gives He_1(z1) + 2 He_1(z2)
    assert hermite_tensor_polynomial(sympy.Array([1, 2]), ZS) == Z1 + 2 * Z2
