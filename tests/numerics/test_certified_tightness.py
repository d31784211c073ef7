"""How tight the certified bounds of numerics/certified.py and numerics/certified_kernels.py are, and
what they cost, against the mathematics they rest on (a value test cannot see a bound that became
looser but still encloses the value):

- Trefethen's theorem (SIAM Review 50, 2008, Thm 4.5): ``n``-point Gauss–Legendre on ``[c − h,
  c + h]`` errs by at most ``(64/15) h M ρ^{−2n}/(ρ² − 1)`` for an integrand analytic in the
  Bernstein ellipse ``E_ρ`` (semi-axes ``h(ρ ± 1/ρ)/2``) and bounded by ``M`` there. Where ``M`` is
  known exactly (a constant integrand) the certified radius must be that bound and no more; where
  it is known from below (the maximum of ``|f|`` sampled on ``E_ρ``) the radius must not be less
  (soundness); the node count is the least the bound allows, up to the search's step;
- a panel is accepted only when the integrand is analytic on its ellipse, and split only when a
  singularity lies within one arc step of it (a real pole; the boundary of ``E_ρ`` is covered by
  ``BOUNDARY_BOXES`` boxes, none reaching beyond one arc step);
- across the panels of one rule the node counts differ as ``ln(M_i/M_j)/(2 ln ρ)``: the cost
  follows the size of the integrand on each panel's ellipse, whatever the error budget;
- Mehler's series: its truncation order follows the decay |ρ|^k, and its tail bound is attained
  within 1/(1 − |ρ|) by a single Hermite function; at 80 digits the working precision, not the
  guard bits, decides the radius.

ρ, the number of boundary boxes and the strip rule's ellipse are the modules' declared parameters
(read from them, not typed in); every other number is computed here by mpmath or sympy."""

from __future__ import annotations

import math

import flint
import mpmath
import pytest
import sympy
from flint import acb, arb

from gfverify.numerics import certified as C
from gfverify.numerics import certified_kernels as CK
from gfverify.theory.hermite import Z

TREFETHEN = mpmath.mpf(64) / 15  # the constant of Trefethen's Theorem 4.5
#: arb rounds each radius up to a 30-bit mantissa: a dozen such roundings stay below 2^-20
ROUNDING = 1 + mpmath.mpf(2) ** -20


def _mp(x) -> mpmath.mpf:
    return mpmath.mpf(arb(x).mid().str(60, radius=False))


def _rad(ball) -> mpmath.mpf:
    return mpmath.mpf(ball.rad().str(20, radius=False))


def _axes(rho: float) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The semi-axes of the Bernstein ellipse E_ρ of [−1, 1]."""
    r = mpmath.mpf(rho)
    return (r + 1 / r) / 2, (r - 1 / r) / 2


def _trefethen(h, M, n: int, rho: float) -> mpmath.mpf:
    r = mpmath.mpf(rho)
    return TREFETHEN * h * M * r ** (-2 * n) / (r * r - 1)


def _ellipse_max(f, c, h, rho: float, points: int = 4096) -> mpmath.mpf:
    """max |f| on the boundary of E_ρ around [c − h, c + h], sampled: a lower estimate of the true
    maximum (which is on the boundary, by the maximum modulus principle)."""
    a, b = _axes(rho)
    return max(abs(f(c + h * mpmath.mpc(a * mpmath.cos(t), b * mpmath.sin(t))))
               for t in (2 * mpmath.pi * j / points for j in range(points)))


def _least_n(h, M, tol, rho: float) -> int:
    """The least n with Trefethen's bound below tol."""
    r = mpmath.mpf(rho)
    return int(mpmath.floor(mpmath.log(TREFETHEN * h * M / ((r * r - 1) * tol)) / (2 * mpmath.log(r)))) + 1


class Panels:
    """Records the panels of ``certified._interval``: each accepted one (leaf) with its node count,
    and each one it split."""

    def __init__(self, monkeypatch):
        self.leaves, self.split, self._stack = [], [], []
        interval, legendre = C._interval, C._legendre

        def recording_interval(F, a, b, *args, **kwargs):
            self._stack.append((_mp(a), _mp(b)))
            before = len(self.leaves)
            try:
                return interval(F, a, b, *args, **kwargs)
            finally:
                here = self._stack.pop()
                if not any(leaf[:2] == here for leaf in self.leaves[before:]):
                    self.split.append(here)

        def recording_legendre(n, prec):
            self.leaves.append((*self._stack[-1], n))
            return legendre(n, prec)

        monkeypatch.setattr(C, "_interval", recording_interval)
        monkeypatch.setattr(C, "_legendre", recording_legendre)


@pytest.fixture
def panels(monkeypatch):
    return Panels(monkeypatch)


@pytest.fixture
def prec300():
    saved, flint.ctx.prec = flint.ctx.prec, 300
    with mpmath.workdps(40):
        yield
    flint.ctx.prec = saved


@pytest.mark.parametrize("lo, hi", [("-1", "1"), ("0.5", "3")])
@pytest.mark.parametrize("tol", ["1e-10", "1e-30", "1e-60"])
def test_a_constant_gets_exactly_trefethens_bound_with_the_least_node_count(lo, hi, tol, panels, prec300):
    """f = 1 is entire with max |f| = 1 on every ellipse: one panel, radius = (64/15) h ρ^{−2n}/(ρ² − 1)
    (to the rounding of arb's radii), below tol; n is at least the least n* the bound allows and,
    the search over n growing by 5/4 from 8, at most 5n*/4 + 1 (for 10^{−D}: n* ≈ D ln 10/(2 ln ρ))."""
    a, b = arb(lo), arb(hi)
    out = C._interval(lambda x, analytic: acb(1), a, b, 0, range(1), arb(tol), n_max=400)
    h = (_mp(b) - _mp(a)) / 2
    assert len(panels.leaves) == 1 and not panels.split
    n = panels.leaves[0][2]
    bound = _trefethen(h, 1, n, C.RHO)
    assert bound <= _rad(out[0]) <= bound * ROUNDING
    assert _rad(out[0]) < mpmath.mpf(tol)
    assert out[0].contains(b - a)
    least = _least_n(h, 1, mpmath.mpf(tol), C.RHO)
    assert least <= n <= 5 * least / 4 + 1


def test_hermite_balls_carry_at_least_the_theorem_and_at_most_cauchys_estimate(panels, prec300):
    """f = 1 on [1/2, 3] with h_k = He_k/√(k!), k ≤ 8, all at once: one panel and one node count for
    every k; each radius is at least Trefethen's bound with M_k = max |h_k| on E_ρ (sampled, a
    lower estimate: soundness) and at most the bound with Cauchy's estimate of the generating
    function e^{zt − t²/2} on |t| = √k, |He_k(z)| ≤ k! e^{k/2} k^{−k/2} e^{√k |z|}, at the largest
    |z| of a cover within one arc step of E_ρ; each ball holds ∫ h_k (sympy, exact)."""
    K, lo, hi = 8, sympy.Rational(1, 2), sympy.Integer(3)
    out = C._interval(lambda x, analytic: acb(1), arb(1) / 2, arb(3), K, range(K + 1), arb("1e-30"))
    assert len(panels.leaves) == 1
    n = panels.leaves[0][2]
    c, h = mpmath.mpf(7) / 4, mpmath.mpf(5) / 4
    a, _ = _axes(C.RHO)
    reach = abs(c) + h * a * (1 + 2 * mpmath.pi / C.BOUNDARY_BOXES)  # largest |z| on the cover
    x = sympy.Symbol("x")
    for k in range(K + 1):
        hk = sympy.hermite_prob(k, x) / sympy.sqrt(sympy.factorial(k))
        exact = sympy.integrate(hk, (x, lo, hi))
        assert out[k].contains(arb(str(sympy.N(exact, 50))) if exact.is_Integer is False else exact), k
        fun = sympy.lambdify(x, hk, "mpmath")
        low = _trefethen(h, _ellipse_max(fun, c, h, C.RHO, 2048), n, C.RHO)
        cauchy = (mpmath.factorial(k) * mpmath.exp(mpmath.mpf(k) / 2 + mpmath.sqrt(k) * reach)
                  / mpmath.mpf(k) ** (mpmath.mpf(k) / 2) if k else 1) / mpmath.sqrt(mpmath.factorial(k))
        assert low <= _rad(out[k]) <= _trefethen(h, cauchy, n, C.RHO) * ROUNDING, k


def _rectangle(box) -> tuple[float, float, float, float]:
    """A complex box (acb ball) as the rectangle (x0, x1, y0, y1) it stands for, in floats."""
    x, y = float(box.real.mid()), float(box.imag.mid())
    rx, ry = float(box.real.rad()), float(box.imag.rad())
    return x - rx, x + rx, y - ry, y + ry


@pytest.mark.parametrize("lo, hi", [("-1", "1"), ("0.5", "3")])
def test_the_boxes_cover_the_ellipse_within_one_arc_step(lo, hi, prec300):
    """The maximum modulus principle bounds |F| inside E_ρ by its maximum on the boundary only if the
    boxes where F is bounded cover the whole boundary: every one of 2048 points of ∂E_ρ lies in a
    boundary box, the analyticity box holds the whole closed ellipse, and (no needless overshoot)
    every corner of a boundary box lies within one arc step s = 2πah/BOUNDARY_BOXES of ∂E_ρ (a box
    need only cover the arc to its neighbours), the analyticity box within s of E_ρ's bounding
    rectangle."""
    boxes = []

    def F(x, analytic):
        if analytic:
            boxes.append(x)
        return acb(1)

    C._interval(F, arb(lo), arb(hi), 0, range(1), arb("1e-20"))
    c, h = (float(lo) + float(hi)) / 2, (float(hi) - float(lo)) / 2
    a, b = (float(v) for v in _axes(C.RHO))
    s = 2 * math.pi * a * h / C.BOUNDARY_BOXES
    boundary = [(c + h * a * math.cos(t), h * b * math.sin(t))
                for t in (2 * math.pi * j / 2048 for j in range(2048))]
    rects = [_rectangle(box) for box in boxes]
    assert len(rects) == 1 + C.BOUNDARY_BOXES

    def inside(p, r):
        return r[0] <= p[0] <= r[1] and r[2] <= p[1] <= r[3]

    x0, x1, y0, y1 = rects[0]
    assert all(inside(p, rects[0]) for p in boundary)
    assert max(c - x0, x1 - c) <= h * a + s and max(-y0, y1) <= h * b + s
    assert all(any(inside(p, r) for r in rects[1:]) for p in boundary)
    for x0, x1, y0, y1 in rects[1:]:
        for corner in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
            assert min(math.dist(corner, p) for p in boundary) <= s


@pytest.mark.parametrize("j", range(0, 17, 3))
def test_a_peak_anywhere_on_the_ellipse_is_inside_the_bound(j, panels, prec300):
    """F(z) = exp(κ e^{−iθ} z), θ = 2πj/17, κ = 8, on [−1, 1]: |F| peaks where E_ρ points along θ, at
    exp(κ √(a² cos²θ + b² sin²θ)) (closed form). Whatever θ, the certified radius is at least
    Trefethen's bound with that maximum: the boxes must cover the whole boundary (a gap there
    would miss the peak of some θ and understate M); the ball holds (e^{u} − e^{−u})/u, u = κe^{−iθ}."""
    theta = 2 * mpmath.pi * j / 17
    u = 8 * mpmath.expjpi(-mpmath.mpf(2 * j) / 17)
    U = acb(arb(mpmath.nstr(u.real, 60)), arb(mpmath.nstr(u.imag, 60)))
    out = C._interval(lambda x, analytic: (U * x).exp(), arb(-1), arb(1), 0, range(1), arb("1e-20"))
    a, b = _axes(C.RHO)
    M = mpmath.exp(8 * mpmath.sqrt((a * mpmath.cos(theta)) ** 2 + (b * mpmath.sin(theta)) ** 2))
    assert len(panels.leaves) == 1
    assert _trefethen(1, M, panels.leaves[0][2], C.RHO) <= _rad(out[0]) < mpmath.mpf("1e-20")
    assert out[0].overlaps(arb(mpmath.nstr(mpmath.re((mpmath.exp(u) - mpmath.exp(-u)) / u), 50)))


def test_a_real_pole_two_arc_steps_beyond_the_ellipse_needs_no_split(panels, prec300):
    """1/(x0 − z) with x0 = a + 2s (a the real semi-axis of E_ρ around [−1, 1], s = 2πa/BOUNDARY_BOXES
    the arc step): the pole is s clear of any cover within one arc step of E_ρ, so [−1, 1] is one
    panel. Its radius is at least Trefethen's bound with M = max |f| on E_ρ (sampled), below tol,
    and the ball holds ln((x0 + 1)/(x0 − 1))."""
    a, _ = _axes(C.RHO)
    x0 = a + 4 * mpmath.pi * a / C.BOUNDARY_BOXES
    pole = acb(arb(mpmath.nstr(x0, 50)))
    tol = mpmath.mpf("1e-30")
    out = C._interval(lambda x, analytic: 1 / (pole - x), arb(-1), arb(1), 0, range(1), arb("1e-30"))
    assert len(panels.leaves) == 1 and not panels.split
    n = panels.leaves[0][2]
    assert _trefethen(1, _ellipse_max(lambda u: 1 / (x0 - u), 0, 1, C.RHO), n, C.RHO) <= _rad(out[0]) < tol
    assert out[0].overlaps(arb(mpmath.nstr(mpmath.log((x0 + 1) / (x0 - 1)), 50)))


@pytest.mark.parametrize("d", ["0.3", "1", "2.5"])
def test_panels_keep_imaginary_poles_outside_their_ellipses(d, panels, prec300):
    """1/(1 + (z/d)²) on [−2, 2], poles ±id: every accepted panel's E_ρ excludes ±id, the radius is at
    least the sum over the panels of Trefethen's bound with M = max |f| on each E_ρ (sampled), and
    below tol; the ball holds 2d·atan(2/d)."""
    D = mpmath.mpf(d)
    a, b = _axes(C.RHO)
    pole = arb(d)
    out = C._interval(lambda x, analytic: 1 / (1 + (x / pole) ** 2), arb(-2), arb(2), 0, range(1),
                      arb("1e-25"))
    least = 0
    for lo, hi, n in panels.leaves:
        c, h = (lo + hi) / 2, (hi - lo) / 2
        assert (c / (h * a)) ** 2 + (D / (h * b)) ** 2 > 1
        least += _trefethen(h, _ellipse_max(lambda u: 1 / (1 + (u / D) ** 2), c, h, C.RHO, 1024), n, C.RHO)
    assert least <= _rad(out[0]) < mpmath.mpf("1e-25")
    assert out[0].overlaps(arb(mpmath.nstr(2 * D * mpmath.atan(2 / D), 50)))


@pytest.mark.parametrize("x0", ["1.2", "1.05", "3"])
def test_a_real_pole_near_the_interval_is_approached_by_split_panels(x0, panels, prec300):
    """1/(x0 − z) on [−1, 1] with a pole at x0 > 1: every accepted panel [c − h, c + h] keeps the pole
    outside its ellipse, (x0 − c)/h > a, and every split one had it within one arc step of its
    vertex, (x0 − c)/h ≤ a(1 + 2π/BOUNDARY_BOXES) (no split without need); the sum holds
    ln((x0 + 1)/(x0 − 1)) with a radius below tol."""
    X = mpmath.mpf(x0)
    a, _ = _axes(C.RHO)
    tol = mpmath.mpf("1e-25")
    out = C._interval(lambda x, analytic: 1 / (acb(arb(x0)) - x), arb(-1), arb(1), 0, range(1),
                      arb("1e-25"))
    for lo, hi, _n in panels.leaves:
        assert (X - (lo + hi) / 2) / ((hi - lo) / 2) > a
    for lo, hi in panels.split:
        assert (X - (lo + hi) / 2) / ((hi - lo) / 2) <= a * (1 + 2 * mpmath.pi / C.BOUNDARY_BOXES)
    assert _rad(out[0]) < tol
    assert out[0].overlaps(arb(mpmath.nstr(mpmath.log((X + 1) / (X - 1)), 50)))
    assert sum(hi - lo for lo, hi, _n in panels.leaves) == 2


@pytest.mark.parametrize("f, g, rho", [(sympy.tanh(Z), sympy.tanh(Z), sympy.Rational(1, 4)),
                                       (sympy.tanh(2 * Z), 3 * sympy.tanh(Z / 2), sympy.Rational(-1, 2))],
                         ids=["tanh", "scaled"])
def test_strip_rule_node_counts_follow_the_gaussian_on_each_panel(f, g, rho, monkeypatch):
    """The nested rule of strip_correlation (inner rule in w, outer in y, panels of half-width h on
    [−L, L]): each panel's ellipse E_r fits in the strips where the links are bounded
    (b = h(r − 1/r)/2 ≤ π/(4a)/√(1 − ρ²), π/(4a)/|ρ| for f and π/(4a) for g); and within each rule
    the node counts differ as ln(M_i/M_j)/(2 ln r), M_i = max |φ| on panel i's ellipse (sampled):
    each count is the least even count the bound allows, so it is off by less than 2 nodes, plus
    b²/(4 ln r) for the proven bound e^{(b² − gap²)/2} on max |φ| (at most e^{b²/2} above it); the
    counts are symmetric, rise towards the centre and are lower at the ends than there. The radius
    is at least the outer rule's Trefethen bounds, with B_f B_g max |φ| on each ellipse."""
    counts, ys, links = [], [], []
    legendre, strip_link = CK._legendre, CK._strip_link

    def recording_legendre(n, prec):
        counts.append(n)
        return legendre(n, prec)

    def recording_link(link, z):  # f first, then g, whose arguments are the outer nodes
        F, s, B = strip_link(link, z)
        links.append(link)
        return ((lambda y: ys.append(y) or F(y)) if len(links) == 2 else F), s, B

    monkeypatch.setattr(CK, "_legendre", recording_legendre)
    monkeypatch.setattr(CK, "_strip_link", recording_link)
    ball = CK.strip_correlation(f, g, rho, 30)
    assert ball.rad() < arb(10) ** -30
    P = len(counts) // 4  # panels j = −P..P−1, inner rule then outer rule
    assert len(counts) == 4 * P
    with mpmath.workdps(30):
        h = -sum(_mp(y) for y in ys[:counts[2 * P]]) / counts[2 * P] / (2 * P - 1)  # panel −P's centre
        r = mpmath.mpf(CK._STRIP_R)
        b = h * (r - 1 / r) / 2
        R = abs(mpmath.mpf(rho.p) / rho.q)
        strips = [mpmath.pi / (4 * mpmath.mpf(sympy.Rational(link.as_independent(Z)[1].args[0] / Z)))
                  for link in (f, g)]
        assert b < min(strips[0] / mpmath.sqrt(1 - R * R), strips[1], strips[0] / R if R else mpmath.inf)
        phi = [_ellipse_max(lambda u: mpmath.exp(-u * u / 2), h * (2 * j + 1), h, CK._STRIP_R, 512)
               for j in range(-P, P)]
        x = [mpmath.log(m) / (2 * mpmath.log(r)) for m in phi]
        # soundness: the radius is at least the outer rule's Trefethen bounds with the true maxima
        bounds = abs(mpmath.mpf(sympy.Rational(f.as_independent(Z)[0]))) * abs(
            mpmath.mpf(sympy.Rational(g.as_independent(Z)[0])))
        outer = sum(_trefethen(h, bounds * m / mpmath.sqrt(2 * mpmath.pi), n, CK._STRIP_R)
                    for m, n in zip(phi, counts[2 * P:]))
        assert outer <= _rad(ball)
        slack = 2 + b * b / (4 * mpmath.log(r))
        for rule in (counts[:2 * P], counts[2 * P:]):
            # M_j grows towards the centre (symmetrically): so do the least counts, and the ends,
            # where |φ| is below the target, need fewer nodes than the centre
            assert rule == rule[::-1] and rule[:P] == sorted(rule[:P]) and rule[0] < rule[P - 1]
            top = rule.index(max(rule))
            for j, n in enumerate(rule):
                if n > min(rule):
                    assert abs((rule[top] - n) - (x[top] - x[j])) < slack, (j, n)


def _mehler_orders(monkeypatch) -> list:
    """Records the truncation order K of every mehler_series call (the kmax it certifies to)."""
    orders, enclosures = [], CK.hermite_enclosures

    def recording(f, kmax, dps, z=Z):
        orders.append(kmax)
        return enclosures(f, kmax, dps, z)

    monkeypatch.setattr(CK, "hermite_enclosures", recording)
    return orders


def test_mehler_truncation_order_grows_as_the_series_decays(monkeypatch):
    """Mehler's series Σ α_k β_k ρ^k is cut after the K whose tail bound ‖f‖‖g‖|ρ|^{K+1}/(1 − |ρ|) meets
    a fixed accuracy, so K = ⌈x⌉ with x growing by log10(λ)/log10(1/|ρ|) when f or g is scaled by λ,
    and by Δ/log10(1/|ρ|) when Δ more digits are asked (|ΔK − Δx| < 1 from the rounding up)."""
    orders = _mehler_orders(monkeypatch)
    rho, lam = sympy.Rational(1, 4), 10**4
    rate = math.log10(4)
    for f, g, dps in [(sympy.erf(Z), sympy.erf(Z), 10), (lam * sympy.erf(Z), sympy.erf(Z), 10),
                      (sympy.erf(Z), lam * sympy.erf(Z), 10), (sympy.erf(Z), sympy.erf(Z), 14)]:
        CK.mehler_series(f, g, rho, dps)
    K = orders[::2]
    assert orders[1::2] == K  # f and g to the same order
    assert abs((K[1] - K[0]) - 4 / rate) < 1 and abs((K[2] - K[0]) - 4 / rate) < 1
    assert abs((K[3] - K[0]) - 4 / rate) < 1


def test_mehler_tail_bound_is_attained_by_a_single_hermite_function(monkeypatch):
    """For f = g = h_m (‖h_m‖ = 1) Mehler's sum is exactly ρ^m, and with m = K + 1 all of it lies in
    the tail: the ball must hold ρ^{K+1} (the bound |ρ|^{K+1}/(1 − |ρ|) is then attained within
    the factor 1/(1 − |ρ|)) and its radius be no larger than that bound (to the 10^-10 it is
    rounded up by) plus the coefficients' own radii."""
    orders = _mehler_orders(monkeypatch)
    rho, dps = sympy.Rational(1, 4), 10
    h1 = sympy.hermite_prob(1, Z)
    CK.mehler_series(h1, h1, rho, dps)
    m = orders[0] + 1
    hm = sympy.hermite_prob(m, Z) / sympy.sqrt(sympy.factorial(m))
    orders.clear()
    ball = CK.mehler_series(hm, hm, rho, dps)
    assert orders == [m - 1, m - 1]  # ‖h_m‖ = ‖h_1‖ = 1: the same order
    saved, flint.ctx.prec = flint.ctx.prec, 200
    try:
        exact = (arb(1) / 4) ** m
        assert ball.contains(exact)
        assert ball.rad() <= exact / (1 - arb(1) / 4) * (1 + arb("1e-9")) + arb(10) ** (-dps - 2)
    finally:
        flint.ctx.prec = saved


@pytest.mark.parametrize("f, half", [(sympy.tanh(Z), True), (sympy.cosh(Z / 2), True),
                                     (sympy.exp(Z / 2), False)], ids=["odd", "even", "neither"])
def test_a_symmetric_link_is_integrated_on_half_the_line(f, half, panels):
    """f(−z) = ±f(z) gives E[f h_k] = 2∫_0^∞ f h_k φ for k of f's parity and 0 for the others, so an
    odd or even link costs the panels of [0, L] only; a link of neither parity needs [−L, L]. The
    panels tile the range exactly, none wider than WIDTH."""
    enc = C.hermite_enclosures(f, 4, 20)
    ends = sorted((lo, hi) for lo, hi, _n in panels.leaves)
    assert all(b[0] == a[1] for a, b in zip(ends, ends[1:]))
    assert (ends[0][0], ends[-1][1]) == ((0 if half else -enc.L), enc.L)
    assert all(hi - lo <= C.WIDTH for lo, hi in ends)  # the module's widest sub-interval


@pytest.mark.parametrize("f, fold", [(sympy.cosh(Z / 2), 2), (sympy.exp(Z / 2), 1)], ids=["even", "neither"])
def test_the_radius_of_alpha_0_carries_the_tail_and_every_panel_bound(f, fold, panels):
    """α_0 = E f: its ball's radius is at least the Cramér tail bound the method reports plus, on
    every panel, Trefethen's bound with M = max |f φ| on the panel's ellipse (sampled), doubled
    for an even link integrated on [0, L] only; and it is below 10^-dps."""
    enc = C.hermite_enclosures(f, 0, 20)
    fun = sympy.lambdify(Z, f * sympy.exp(-Z**2 / 2) / sympy.sqrt(2 * sympy.pi), "mpmath")
    with mpmath.workdps(30):
        least = mpmath.mpf(enc.tail.upper().str(20, radius=False))
        for lo, hi, n in panels.leaves:
            c, h = (lo + hi) / 2, (hi - lo) / 2
            least += fold * _trefethen(h, _ellipse_max(fun, c, h, C.RHO, 512), n, C.RHO)
        assert least <= _rad(enc.balls[0]) < mpmath.mpf("1e-20")


def test_certified_values_carry_80_digits():
    """Above 64 digits the working precision, not the guard bits, decides the rounding: at 80
    digits Mehler's series for erf at ρ = 1/10 holds the closed form (2/π) asin(2ρ/3),
    Σ α_k²(cos) holds ‖cos‖² = E cos² z = (1 + e^{−2})/2, and α_1(erf) = E[z erf z] = E erf′ z
    = 2/√(3π) (Stein), all with radii below 10^-80."""
    series = CK.mehler_series(sympy.erf(Z), sympy.erf(Z), sympy.Rational(1, 10), 80)
    norm = CK.parseval_enclosure(sympy.cos(Z), 80, n_max=120)
    alpha = C.hermite_enclosures(sympy.erf(Z), 1, 80).balls[1]
    saved, flint.ctx.prec = flint.ctx.prec, 400
    try:
        assert alpha.contains(2 / (3 * arb.pi()).sqrt()) and alpha.rad() < arb(10) ** -80
        assert series.contains(2 / arb.pi() * (arb(2) / 30).asin()) and series.rad() < arb(10) ** -80
        assert norm.contains((1 + arb(-2).exp()) / 2) and norm.rad() < arb(10) ** -80
    finally:
        flint.ctx.prec = saved
