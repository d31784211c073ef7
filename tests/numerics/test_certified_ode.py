"""Certified escape times and validated m(T): the balls contain independent high-precision
values (mpmath closed form, exact solutions), their radii are small, wrong inputs fall outside,
and what cannot be proven is refused with its reason."""

import itertools

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


def _truncated_escape_time(link: sympy.Expr, K: int, m0, m1) -> mpmath.mpf:
    """The closed-form escape time (numerics.timescales) of the link's series truncated at K, with
    α_k² from the quadrature coefficients of numerics.hermite (40 digits) read as exact rationals."""
    coeffs = hermite_coefficients(link, K, 40)
    with mpmath.workdps(45):
        alphas = {k: sympy.sqrt(sympy.Rational(mpmath.nstr(a**2, 45))) for k, a in enumerate(coeffs.alphas)
                  if k and a != 0}
        return +nts.escape_time(ro.single_index_rhs(alphas, M), M, m0, m1)


@pytest.mark.slow
def test_tanh_time_is_enclosed():
    """The enclosure with every Hermite term contains the closed form truncated at K = 60."""
    m0 = 1 / sympy.sqrt(10**6)
    ball, _, _ = co.link_escape_enclosure(sympy.tanh(Z), Z, m0, HALF, 30, planted=False)
    value = _truncated_escape_time(sympy.tanh(Z), 60, m0, HALF)
    assert _contains(ball, value) and ball.rad() < arb("1e-30")


def test_a_link_without_a_growth_bound_is_refused():
    with pytest.raises(NotCertifiable, match="tail bound"):
        co.link_escape_enclosure(sympy.exp(Z**2 / 8), Z, sympy.Rational(1, 10), HALF, 20, planted=False)


def test_exact_numbers_become_narrow_balls_and_symbols_are_refused():
    """_arb: a rational is exact at the working precision, √2 a ball of radius < 2^-250 around it;
    a symbol is not a number."""
    assert co._arb(sympy.Rational(1, 3)).contains(arb(1) / 3)
    ball = co._arb(sympy.sqrt(2))
    assert ball.overlaps(arb(2).sqrt()) and ball.rad() < arb(2) ** -250
    assert not ball.contains(arb(2).sqrt() + arb(2) ** -200)
    with pytest.raises(NotCertifiable, match="not a number"):
        co._arb(M)


def test_irrational_and_vanishing_right_hand_sides_are_refused():
    with pytest.raises(NotCertifiable, match="irrational"):
        co.rational_coefficients(sympy.sqrt(2) * M**3 - M**5, M)
    assert co.rational_coefficients(M**3 / 2 - M**5, M) == [0, 0, 0, HALF, 0, -1]
    with pytest.raises(NotCertifiable, match="identically zero"):
        co.escape_enclosure([0, 0], sympy.Rational(1, 10), HALF, 20)
    with pytest.raises(NotCertifiable, match="not proven non-zero"):
        co.escape_enclosure([arb(0, "1e-30"), 1], sympy.Rational(1, 10), HALF, 20)


@pytest.mark.parametrize("nu", [1, 2, 3])
def test_escape_time_of_a_pure_power_with_a_linear_factor(nu):
    """R = m^ν (1 + m): 1/R = Σ_{j<0} (−1)^{j+ν} m^j + (−1)^ν/(1 + m), integrated by mpmath quad
    at 60 digits (a second route: no closed form from the module)."""
    m0, m1 = sympy.Rational(1, 7), sympy.Rational(5, 6)
    ball = co.escape_enclosure([0] * nu + [1, 1], m0, m1, 40)
    with mpmath.workdps(60):
        value = mpmath.quad(lambda m: 1 / (m**nu * (1 + m)), [mpmath.mpf(1) / 7, mpmath.mpf(5) / 6])
        assert _contains(ball, value) and ball.rad() < arb(10) ** -38


def test_a_hermite_tail_widens_the_ball_to_the_faster_flow():
    """With 0 ≤ E ≤ εR the flow R + E is at most (1+ε) times faster: the ball holds T and
    T/(1+ε) (the escape time of (1+ε)R, exactly); a target beyond the tail's range is refused."""
    rhs = ro.single_index_rhs({1: 1, 3: HALF}, M)
    coeffs = co.rational_coefficients(rhs, M)
    m0 = sympy.Rational(1, 100)
    eps = sympy.Rational(1, 1000)
    tail = co.Tail(eps=arb(0, arb(1) / 1000), upto=arb(1) / 2, reason="test")
    ball = co.escape_enclosure(coeffs, m0, HALF, 30, tail)
    with mpmath.workdps(60):
        slow = nts.escape_time(rhs, M, m0, HALF)
        fast = nts.escape_time(rhs * (1 + eps), M, m0, HALF)
        assert _contains(ball, slow) and _contains(ball, fast)
        assert not _contains(ball, fast * (1 - mpmath.mpf(10) ** -9))
        assert not _contains(ball, slow * (1 + mpmath.mpf(10) ** -9))
    with pytest.raises(NotCertifiable, match="does not cover"):
        co.escape_enclosure(coeffs, m0, sympy.Rational(3, 5), 30, tail)


@pytest.mark.parametrize("K, planted, ok", [(3, False, False), (4, False, True), (7, True, False),
                                             (9, True, True)])
def test_the_hermite_tail_needs_k_past_the_turn_of_k_q_to_the_k(K, planted, ok):
    """k q^k decreases only for k ≥ q/(1−q): at m1 = 9/10 (q = 81/100: 4.26…; planted q = 9/10:
    9) the bound needs K + 1 at least that."""
    sq = [arb(0)] + [arb(1) / 2**k for k in range(1, K + 1)]
    if ok:
        tail = co.hermite_tail(sq, arb(2), arb(9) / 10, planted)
        assert tail.eps.upper() > 0 and tail.upto.contains(arb(9) / 10)
    else:
        with pytest.raises(NotCertifiable, match="more Hermite terms"):
            co.hermite_tail(sq, arb(2), arb(9) / 10, planted)


def test_the_hermite_tail_bound_for_a_geometric_series():
    """α_k² = 2^{−k} (k ≥ 1), K = 6, m1 = 1/2 (q = 1/4): the true relative tail
    Σ_{k>6} k 2^{−k} m^{2k−1} / Σ_{k≤6} k 2^{−k} m^{2k−1} is below ε = τ (K+1) q^{K+1−s}/(s α_s²),
    τ = 2^{−6}, and ε is within a factor 10 of its value at m1 (the sum is dominated by k = 7)."""
    sq = [arb(0)] + [arb(1) / 2**k for k in range(1, 7)]
    tail = co.hermite_tail(sq, arb(1), arb(1) / 2, planted=False)
    with mpmath.workdps(40):
        def ratio(m):
            rest = mpmath.nsum(lambda k: k * mpmath.mpf(2) ** -k * m ** (2 * k - 1), [7, mpmath.inf])
            return rest / sum(k * mpmath.mpf(2) ** -k * m ** (2 * k - 1) for k in range(1, 7))
        eps = mpmath.mpf(tail.eps.upper().str(30, radius=False))
        assert all(ratio(mpmath.mpf(m) / 100) <= eps for m in (1, 10, 30, 50))
        assert eps < 10 * ratio(mpmath.mpf(1) / 2)
        assert abs(eps / (mpmath.mpf(2) ** -6 * 7 * mpmath.mpf(4) ** -6 * 2) - 1) < mpmath.mpf(10) ** -8


def test_the_tail_does_not_depend_on_alpha_0():
    """R involves α_k for k ≥ 1 only (the norm passed is ‖f‖² − α_0²): α_0² changes nothing in ε."""
    sq = [arb(1) / 2**k for k in range(7)]
    with_mean = co.hermite_tail(sq, arb(2), arb(1) / 2, planted=False)
    without = co.hermite_tail([arb(0)] + sq[1:], arb(2), arb(1) / 2, planted=False)
    assert with_mean.eps.upper() > 0
    assert abs(with_mean.eps.upper() / without.eps.upper() - 1) < arb("1e-6")


@pytest.mark.parametrize("planted", [False, True])
def test_single_index_coefficients_expand_the_theory_formula(planted):
    """The arb coefficients of (1 − m²) Σ k α_k² m^{e(k)} equal sympy's expansion of
    reduced_ode.single_index_rhs (exact zeros stay exact zeros)."""
    alphas = {1: sympy.Rational(1, 3), 2: 0, 3: HALF, 4: sympy.Rational(2, 5)}
    sq = [arb(0)] + [arb(int(sympy.Rational(alphas[k] ** 2).p)) / int(sympy.Rational(alphas[k] ** 2).q)
                     for k in range(1, 5)]
    got = co.single_index_coefficients(sq, planted)
    want = co.rational_coefficients(ro.single_index_rhs({k: a for k, a in alphas.items() if a}, M,
                                                        planted=planted), M)
    assert len(got) >= len(want)
    for i, g in enumerate(got):
        w = want[i] if i < len(want) else 0
        if w:
            assert g.overlaps(arb(int(w.p)) / int(w.q)) and g.rad() < arb(2) ** -250
        else:
            assert g.is_zero()


def test_taylor_enclosure_near_a_blow_up_halves_its_steps():
    """ṁ = m² from 1 blows up at t = 1: m(9/10) = 10 exactly; the steps shrink towards the pole."""
    ball, steps = co.taylor_enclosure([0, 0, 1], 1, sympy.Rational(9, 10), 20)
    assert ball.contains(10) and ball.rad() < arb("1e-15")
    assert steps > 3
    assert not ball.contains(10 + arb("1e-14"))


def test_link_escape_time_of_erf():
    """erf: α_k from the certified enclosures with the Parseval tail; the ball holds the closed-form
    escape time of the series truncated at K = 41 with quadrature coefficients (numerics.hermite,
    the rest beyond K = 41 below 10⁻³⁰ relative at m ≤ 1/2, since α_k² ≤ (2/3)^k); at m1 = 1/2 the
    Parseval tail needs more than the first K = 20 terms to fall below 10^{−dps−5}."""
    m0, m1 = sympy.Rational(1, 10), HALF
    ball, coeffs, tail = co.link_escape_enclosure(sympy.erf(Z), Z, m0, m1, 20, planted=False)
    assert tail.eps < arb(10) ** -25
    value = _truncated_escape_time(sympy.erf(Z), 41, m0, m1)
    assert _contains(ball, value) and ball.rad() < arb("1e-18")


def test_escape_certificate_by_taylor_and_by_monotonicity():
    """ṁ = 3m⁵ from ½ to 3/5: T = (16 − (5/3)⁴)/12 exactly; m(T) is enclosed around 3/5 both by
    the interval Taylor method and by the monotonicity lemma (radius 10^{−dps})."""
    T_exact = (16 - sympy.Rational(5, 3) ** 4) / 12
    for taylor in (True, False):
        out = co.escape_certificate([0, 0, 0, 0, 0, 3], HALF, sympy.Rational(3, 5), 20, taylor=taylor)
        T = out["T_enclosure"]
        assert abs(mpmath.mpf(T["mid"]) - mpmath.mpf(T_exact.p) / T_exact.q) <= mpmath.mpf(T["rad"])
        mT = out["m_T_enclosure"]
        assert abs(mpmath.mpf(mT["mid"]) - mpmath.mpf("0.6")) <= mpmath.mpf(mT["rad"]) <= mpmath.mpf("1e-20")
        assert out["m_T_method"].startswith("interval Taylor" if taylor else "monotonicity lemma")


def test_escape_certificate_of_a_link_uses_the_lemma():
    """A link (erf): m(T) only from the monotonicity lemma; the enclosure holds m1."""
    out = co.escape_certificate(None, sympy.Rational(1, 10), sympy.Rational(1, 4), 20, link=sympy.erf(Z), z=Z)
    assert out["m_T_method"].startswith("monotonicity lemma")
    mT = out["m_T_enclosure"]
    assert abs(mpmath.mpf(mT["mid"]) - mpmath.mpf("0.25")) <= mpmath.mpf(mT["rad"]) < mpmath.mpf("1e-3")


def test_complex_horner_is_the_polynomial_at_the_point():
    """acb_poly_eval(p, x) = p(x): against flint's own real evaluation at a real point and the
    expanded value at 1 + 2i (p = 3 − m + 2m³: p(1 + 2i) = −20 − 6i by hand: (1 + 2i)³ = −11 − 2i)."""
    p = flint.arb_poly([3, -1, 0, 2])
    assert co.acb_poly_eval(p, flint.acb(arb(1) / 3)).real.contains(p(arb(1) / 3))
    assert co.acb_poly_eval(p, flint.acb(1, 2)).contains(flint.acb(-20, -6))
    assert not co.acb_poly_eval(p, flint.acb(1, 2)).contains(flint.acb(20, 6))


def test_positivity_is_proven_on_the_whole_interval_or_refused():
    """R = 9/5 − m is positive on [1, 9/5) and negative on (9/5, 2]: a proof on [1, 2] must fail
    (the interval's right end is where it is negative); its twin 11/5 − m is positive on all of
    [1, 2] and is proven."""
    with pytest.raises(NotCertifiable, match="cannot prove R > 0"):
        co.prove_positive(flint.arb_poly([arb(9) / 5, -1]), arb(1), arb(2), depth=12)
    co.prove_positive(flint.arb_poly([arb(11) / 5, -1]), arb(1), arb(2), depth=12)


def test_the_hermite_tail_bound_holds_for_the_extremal_tail():
    """The Parseval budget τ put entirely on k = K + 1 is the worst tail at m1 (the bound is
    attained there): α_1² = 3/10, α_3² = 1/10, K = 3, ‖f‖² − α_0² = 1/2 (τ = 1/10), m1 = 1/2.
    The ratio E/R_K = 4τ m⁷ / (α_1² m + 3α_3² m⁵) at m1, computed here from those sums, must lie
    below ε (a first coefficient below ½ tells s·α_s² from s − α_s², unlike α_1² = ½)."""
    sq = [arb(0), arb(3) / 10, arb(0), arb(1) / 10]
    tail = co.hermite_tail(sq, arb(1) / 2, arb(1) / 2, planted=False)
    m, tau = sympy.Rational(1, 2), sympy.Rational(1, 10)
    worst = 4 * tau * m**7 / (sympy.Rational(3, 10) * m + 3 * sympy.Rational(1, 10) * m**5)
    assert tail.eps.upper() >= arb(worst.p) / worst.q
    assert tail.eps.upper() < 2 * arb(worst.p) / worst.q  # and the bound is near-sharp there


def test_the_parseval_budget_is_the_true_tail_of_a_shifted_erf():
    """The tail budget of link_escape_enclosure is ‖f‖² − α_0² − Σ_{1≤k≤K} α_k² (Parseval): for
    f = 1 + erf (α_0 = 1, so a budget forgetting α_0² would be off by 1), with ‖f‖² = 1 + (2/π)
    arcsin(2/3) in closed form and α_k from the quadrature of numerics.hermite, the ε the enclosure
    uses lies within 10⁻⁶ relative of the ε that budget gives through the documented bound
    τ (K+1) q^{K+1−s} / (s α_s²), q = m1², s = 1 — and never below it."""
    import re

    f, m1 = 1 + sympy.erf(Z), sympy.Rational(1, 2)
    _, _, tail = co.link_escape_enclosure(f, Z, sympy.Rational(1, 10), m1, 20, planted=False)
    K = int(re.search(r"beyond K = (\d+)", tail.reason).group(1))
    with mpmath.workdps(60):
        alphas = hermite_coefficients(f, K, 50).alphas
        norm_sq = 1 + 2 / mpmath.pi * mpmath.asin(mpmath.mpf(2) / 3)
        tau = norm_sq - mpmath.fsum(a**2 for a in alphas)
        q = mpmath.mpf(1) / 4
        eps = tau * (K + 1) * q**K / alphas[1] ** 2
        got = mpmath.mpf(tail.eps.upper().str(30, radius=False))
        assert abs(alphas[0] - 1) < mpmath.mpf(10) ** -40 and tau > 0
        assert eps * (1 - mpmath.mpf(10) ** -12) <= got <= eps * (1 + mpmath.mpf(10) ** -6)


def test_a_validated_step_is_taken_where_the_picard_inclusion_holds():
    """ṁ = m from 1, one step of h = 1/5: the a priori box is B ⊂ [0.79, 1.62] (the drift 1/5
    doubled and padded), and 1 + [0, 1/5]·B ⊂ [1, 1.33] lies inside it, so the Picard test holds
    and the step must be taken; its ball holds e^{1/5} (the exact solution). The mirrored image
    1 − [0, 1/5]·B reaches below B, so a test of the wrong image refuses the step."""
    ball = co._step(flint.arb_poly([0, 1]), arb(1), arb(1) / 5, 16)
    assert ball is not None
    with mpmath.workdps(60):
        assert _contains(ball, mpmath.exp(mpmath.mpf(1) / 5)) and ball.rad() < arb("1e-15")


@pytest.mark.parametrize("a", [-8, -1, -sympy.Rational(1, 2), 1, 3])
def test_every_accepted_step_encloses_the_exact_linear_flow(a):
    """ṁ = a m + b from x: m(h) = (x + b/a) e^{ah} − b/a. Over a grid of (b, x, h), including
    starts beside the fixed point −b/a where the drift changes sign inside the box, each step
    `_step` accepts holds the exact value; every short step (|a| h ≤ 1/2, where the doubled drift
    box contracts under x + [0, h]R) is taken, and long ones are refused rather than enclosed
    wrongly."""
    def mp(r) -> mpmath.mpf:
        return mpmath.mpf(sympy.Rational(r))

    refused = 0
    starts = (-1, sympy.Rational(-3, 10), sympy.Rational(1, 5), 1)
    for b, x0, h in itertools.product((-2, 0, 1), starts, (sympy.Rational(1, 20), HALF, 2)):
        ball = co._step(flint.arb_poly([co._arb(b), co._arb(a)]), co._arb(x0), co._arb(h), 16)
        if ball is None:
            assert abs(a * h) > HALF, (a, b, x0, h)
            refused += 1
            continue
        with mpmath.workdps(60):
            fixed = -mp(b) / mp(a)
            exact = (mp(x0) - fixed) * mpmath.exp(mp(a * h)) + fixed
            assert _contains(ball, exact), (a, b, x0, h)
    assert refused >= 12
