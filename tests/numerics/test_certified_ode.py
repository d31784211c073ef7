"""Certified escape times and validated m(T): the balls contain independent high-precision
values (mpmath closed form, exact solutions), their radii are small, wrong inputs fall outside,
and what cannot be proven is refused with its reason."""

import flint
import mpmath
import pytest
import sympy
from flint import arb

from gfverify.numerics import certified_ode as co
from gfverify.numerics import timescales as nts
from gfverify.numerics.certified import NotCertifiable
from gfverify.numerics.hermite import hermite_coefficients
from gfverify.theory import reduced_ode as ro
from gfverify.theory.hermite import Z

M = ro.M
HALF = sympy.Rational(1, 2)


@pytest.fixture(autouse=True)
def precision():
    """Compare balls at 300 bits (a decimal string read at 53 bits is a wide ball)."""
    saved = flint.ctx.prec
    flint.ctx.prec = 300
    yield
    flint.ctx.prec = saved


def _contains(ball, value: mpmath.mpf) -> bool:
    return ball.contains(arb(mpmath.nstr(value, 70)))


@pytest.mark.parametrize("alphas, planted, d", [({3: 1}, False, 10**6), ({3: 1}, True, 10**6),
                                               ({1: 1, 3: HALF}, False, 10**4),
                                               ({2: 1, 4: HALF}, False, 10**8),
                                               ({1: 1, 3: HALF}, True, 10**4)])  # ν = 0
def test_escape_enclosure_contains_the_mpmath_closed_form(alphas, planted, d):
    rhs = ro.single_index_rhs(alphas, M, planted=planted)
    m0 = 1 / sympy.sqrt(d)
    ball = co.escape_enclosure(co.rational_coefficients(rhs, M), m0, HALF, 50)
    closed = co.closed_form_enclosure(rhs, M, m0, HALF, 50)
    with mpmath.workdps(70):
        value = nts.escape_time(rhs, M, m0, HALF)
        assert _contains(ball, value) and _contains(closed, value)
        assert mpmath.mpf(ball.rad().str(5, radius=False)) < mpmath.mpf(10) ** -50 * value


def test_a_wrong_time_falls_outside():
    rhs = ro.single_index_rhs({3: 1}, M)
    ball = co.escape_enclosure(co.rational_coefficients(rhs, M), sympy.Rational(1, 1000), HALF, 30)
    with mpmath.workdps(60):
        value = nts.escape_time(rhs, M, sympy.Rational(1, 1000), HALF)
        assert _contains(ball, value) and not _contains(ball, value * (1 + mpmath.mpf(10) ** -30))


def test_positivity_is_proven_or_refused():
    # R = m (1/4 − m): a root at 1/4 inside [1/10, 1/2]
    with pytest.raises(NotCertifiable, match="R > 0"):
        co.escape_enclosure([0, sympy.Rational(1, 4), -1], sympy.Rational(1, 10), HALF, 30)
    with pytest.raises(NotCertifiable, match="0 < m0"):
        co.escape_enclosure([0, 1], sympy.Rational(-1, 10), HALF, 30)
    with pytest.raises(NotCertifiable, match="moves away"):
        co.escape_enclosure([0, -1], sympy.Rational(1, 10), HALF, 30)


def test_taylor_coefficients_of_the_exponential():
    coeffs = co.taylor_coefficients(co.arb_poly([0, 1]), arb(1), 10)
    assert all(c.overlaps(1 / arb.fac_ui(n)) and c.rad() < arb("1e-80") for n, c in enumerate(coeffs))


def test_taylor_enclosure_contains_the_exact_solution():
    """ṁ = 3m⁵ from ½: m(t) = (16 − 12t)^{−1/4}, so m(1) = 1/√2; a time 10⁻²⁰ later is excluded."""
    ball, steps = co.taylor_enclosure([0, 0, 0, 0, 0, 3], HALF, 1, 30)
    assert ball.contains(1 / arb(2).sqrt()) and ball.rad() < arb("1e-25")
    later, _ = co.taylor_enclosure([0, 0, 0, 0, 0, 3], HALF, 1 + sympy.Rational(1, 10**20), 30)
    assert not later.contains(1 / arb(2).sqrt())


def test_m_of_t_contains_the_target_and_the_lemma_brackets_it():
    coeffs = co.rational_coefficients(ro.single_index_rhs({3: 1}, M), M)
    m0 = sympy.Rational(1, 10)
    T = co.escape_enclosure(coeffs, m0, HALF, 30)
    ball, _ = co.taylor_enclosure(coeffs, m0, T, 30)
    assert ball.contains(arb(1) / 2)
    delta = sympy.Rational(1, 10**20)
    assert co.monotone_enclosure(coeffs, m0, T, HALF - delta, HALF + delta, 30)
    assert not co.monotone_enclosure(coeffs, m0, T, HALF + delta, HALF + 2 * delta, 30)


def test_tanh_tail_bounds_the_true_tail():
    """ε from Parseval at K = 9 is at least the relative tail of R measured with 40 numeric
    coefficients on a grid of [10⁻³, ½] (the rest beyond 40 is below 10⁻²⁵ there)."""
    coeffs = hermite_coefficients(sympy.tanh(Z), 40, 30)
    sq = [arb(mpmath.nstr(a**2, 35)) if a != 0 else arb(0) for a in coeffs.alphas]
    norm = sum(sq, arb(0)) + arb("1e-25")
    tail = co.hermite_tail(sq[:10], norm, arb(1) / 2, planted=False)
    for m in (arb("0.001"), arb("0.1"), arb("0.3"), arb("0.5")):
        kept = sum((k * sq[k] * m ** (2 * k - 1) for k in range(1, 10)), arb(0))
        rest = sum((k * sq[k] * m ** (2 * k - 1) for k in range(10, 41)), arb(0))
        assert rest / kept < tail.eps.upper()


@pytest.mark.slow
def test_tanh_time_is_enclosed():
    """The enclosure with every Hermite term contains the closed form truncated at K = 60."""
    coeffs = hermite_coefficients(sympy.tanh(Z), 60, 40)
    m0 = 1 / sympy.sqrt(10**6)
    ball, _, _ = co.link_escape_enclosure(sympy.tanh(Z), Z, m0, HALF, 30, planted=False)
    with mpmath.workdps(45):
        alphas = {k: sympy.sqrt(sympy.Rational(mpmath.nstr(a**2, 45))) for k, a in enumerate(coeffs.alphas)
                  if k and a != 0}
        value = nts.escape_time(ro.single_index_rhs(alphas, M), M, m0, HALF)
        assert _contains(ball, value) and ball.rad() < arb("1e-30")


def test_a_link_without_a_growth_bound_is_refused():
    with pytest.raises(NotCertifiable, match="tail bound"):
        co.link_escape_enclosure(sympy.exp(Z**2 / 8), Z, sympy.Rational(1, 10), HALF, 20, planted=False)
