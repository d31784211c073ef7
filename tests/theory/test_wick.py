"""Tests of the Isserlis/Wick engine: moments against independent formulas and sympy.stats."""

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gfverify.errors import InputError
from gfverify.numerics.strategies import multivariate_polynomial_links
from gfverify.theory.wick import MomentTable, gaussian_expectation, moment, standard_expectation

X, Y, Z = sympy.symbols("x y z", real=True)
S11, S12, S22 = sympy.symbols("s11 s12 s22", real=True)
COV = sympy.Matrix([[S11, S12], [S12, S22]])


def test_univariate_moments_are_double_factorials():
    s = sympy.Symbol("s", positive=True)
    for k in range(0, 13):
        want = 0 if k % 2 else sympy.factorial2(k - 1) * s ** (k // 2)
        assert sympy.expand(moment((k,), [[s]]) - want) == 0


def test_isserlis_four_and_six():
    # E[x²y²] = s11 s22 + 2 s12²; E[x³y³] = 9 s11 s22 s12 + 6 s12³ (pairings counted by hand)
    assert sympy.expand(moment((2, 2), COV) - (S11 * S22 + 2 * S12**2)) == 0
    assert sympy.expand(moment((3, 3), COV) - (9 * S11 * S22 * S12 + 6 * S12**3)) == 0
    assert moment((3, 2), COV) == 0


def test_mean_shift_against_direct_expansion():
    mu = sympy.symbols("m1 m2", real=True)
    p = X**3 * Y - 2 * X * Y**2 + Y**4 + 5
    shifted = sympy.expand(p.subs({X: X + mu[0], Y: Y + mu[1]}, simultaneous=True))
    want = gaussian_expectation(shifted, [X, Y], COV)
    got = gaussian_expectation(p, [X, Y], COV, mean=mu)
    assert sympy.expand(got - want) == 0


def test_heat_operator_route():
    """E[p(μ + y)] = exp(½ ∂ᵀΣ∂) p at μ: an independent route for the mean case."""
    mu = [sympy.Rational(1, 3), sympy.Symbol("t")]
    p = X**4 * Y + X**2 * Y**3 - 7 * Y
    cur, total = p, sympy.Integer(0)
    for k in range(0, 4):
        total += cur / sympy.factorial(k)
        cur = (S11 * sympy.diff(cur, X, 2) + 2 * S12 * sympy.diff(cur, X, Y)
               + S22 * sympy.diff(cur, Y, 2)) / 2
    want = sympy.expand(total.subs({X: mu[0], Y: mu[1]}, simultaneous=True))
    assert sympy.expand(gaussian_expectation(p, [X, Y], COV, mean=mu) - want) == 0


def test_against_sympy_stats_numeric_covariance():
    from sympy.stats import E, Normal

    a, b = Normal("a", 0, 1), Normal("b", 0, 1)
    # (x, y) = (a, a/2 + b): covariance [[1, 1/2], [1/2, 5/4]]
    cov = sympy.Matrix([[1, sympy.Rational(1, 2)], [sympy.Rational(1, 2), sympy.Rational(5, 4)]])
    p = X**2 * Y**2 + X * Y**3 - X**3
    want = E(p.subs({X: a, Y: a / 2 + b}, simultaneous=True))
    assert sympy.simplify(gaussian_expectation(p, [X, Y], cov) - want) == 0


@settings(max_examples=25, deadline=None)
@given(multivariate_polynomial_links([X, Y], max_degree=4))
def test_independent_coordinates_factor(p):
    """With Σ = I the moment of x^a y^b is E[x^a] E[y^b]."""
    table = MomentTable(sympy.eye(2))
    for (a, b), c in sympy.Poly(p, X, Y).terms():
        assert table((a, b)) == moment((a,), [[1]]) * moment((b,), [[1]])


@given(st.integers(0, 6), st.integers(0, 6))
def test_linear_change_of_variables(a, b):
    """E[(Lx)^α] under N(0, I) equals the moment under N(0, LLᵀ)."""
    L = sympy.Matrix([[1, 2], [sympy.Rational(-1, 2), 3]])
    u = L * sympy.Matrix([X, Y])
    lhs = gaussian_expectation(u[0] ** a * u[1] ** b, [X, Y], sympy.eye(2))
    assert lhs == moment((a, b), L * L.T)


def test_bad_input():
    for bad in ([[1, 2], [3, 4]], [[1, 0, 0], [0, 1, 0]]):
        try:
            MomentTable(bad)
        except InputError as exc:
            assert "\n" not in str(exc)
        else:
            raise AssertionError("accepted a bad covariance")
    try:
        gaussian_expectation(sympy.exp(X), [X], [[1]])
    except InputError as exc:
        assert "polynomial" in str(exc)
    else:
        raise AssertionError("accepted a non-polynomial")


def test_standard_expectation_is_a_product_of_double_factorials():
    x, y, a = sympy.symbols("x y a", real=True)
    p = x**4 * y**2 - 3 * a * x**2 + x * y + 5
    assert standard_expectation(p, [x, y]) == 3 - 3 * a + 5
    assert standard_expectation(p, [x, y]) == gaussian_expectation(p, [x, y], sympy.eye(2))


def test_mismatched_sizes_and_a_mean_depending_on_the_variables_are_refused():
    """E[x] needs as many means and covariance rows as variables; a mean containing x is not a
    mean; an exponent tuple must match the dimension; an expression that is a polynomial in x
    with a non-polynomial coefficient is still a polynomial in x (E[x² sin a] = sin a)."""
    with pytest.raises(InputError, match="covariance is 2x2 but there are 1"):
        gaussian_expectation(X**2, [X], COV)
    with pytest.raises(InputError, match="mean has 2 entries"):
        gaussian_expectation(X**2, [X], [[1]], mean=[0, 1])
    with pytest.raises(InputError, match="must not depend"):
        gaussian_expectation(X**2, [X], [[1]], mean=[X / 2])
    with pytest.raises(ValueError, match="length 1 for dimension 2"):
        MomentTable(COV)((2,))
    with pytest.raises(InputError, match="not a polynomial"):
        gaussian_expectation(X ** sympy.Rational(1, 2), [X], [[1]])
    a = sympy.Symbol("a", real=True)
    assert sympy.simplify(gaussian_expectation(X**2 * sympy.sin(a), [X], [[S11]]) - S11 * sympy.sin(a)) == 0


def test_a_shifted_mean_with_symbolic_covariance():
    """E[(x + μ)^4] = 3s² + 6μ²s + μ⁴ and E[x y] = s12 + μ1 μ2 for x ~ N(μ, Σ) (direct binomial
    expansion with the centred moments 3s², s, 0)."""
    m1, m2 = sympy.symbols("m1 m2", real=True)
    assert sympy.expand(gaussian_expectation(X**4, [X], [[S11]], mean=[m1])
                        - (3 * S11**2 + 6 * m1**2 * S11 + m1**4)) == 0
    assert sympy.expand(gaussian_expectation(X * Y + 2, [X, Y], COV, mean=[m1, m2])
                        - (S12 + m1 * m2 + 2)) == 0
    assert gaussian_expectation(X**3, [X], [[S11]], mean=[0]) == 0
