"""The pure-Python Taylor engine against closed-form solutions (named in each test)."""

import math

import mpmath
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gfverify.errors import InputError
from gfverify.numerics import taylor
from gfverify.numerics.precision import tolerance

y, x, v = sympy.symbols("y x v")
DPS = 30


def run(rhs, state, y0, **kw):
    with mpmath.workdps(DPS):
        return taylor.integrate(taylor.compile_program(rhs, state), [mpmath.mpf(c) for c in y0], DPS, **kw)


def close(a, b, dps=DPS):
    return abs(a - b) <= tolerance(dps, b)


def test_program_shares_powers_and_uses_squares():
    prog = taylor.compile_program([(1 - y**2) * 3 * y**5], [y])
    kinds = [op[0] for op in prog.ops]
    # y^2 (sq), y^4 (sq of y^2), y^5 (mul), 1 - y^2 and 3(...) (lin), one product: y^2 is shared
    assert kinds.count("sq") == 2 and kinds.count("mul") == 2
    assert len(prog.ops) == 1 + 2 + 2 + kinds.count("lin")


def test_unsupported_term_is_input_error():
    with pytest.raises(InputError, match="not rational"):
        taylor.compile_program([sympy.sin(y)], [y])


def test_descartes_count_of_a_real_rooted_polynomial_is_exact():
    # p = (x − 1/4)(x − 1/2)(x − 3) has only real roots, and so has its Möbius transform
    # (1 + y)^3 p((lo + hi y)/(1 + y)), whose sign variations then count its positive roots exactly
    # (Descartes' rule is exact for real-rooted polynomials): the roots of p in (lo, hi)
    with mpmath.workdps(DPS):
        roots = [sympy.Rational(1, 4), sympy.Rational(1, 2), sympy.Integer(3)]
        poly = sympy.Poly(sympy.Mul(*[x - r for r in roots]), x)
        p = [mpmath.mpf(sympy.Rational(c).p) / sympy.Rational(c).q for c in poly.all_coeffs()[::-1]]
        for lo, hi in ((0, 1), (0, "0.3"), ("0.3", "0.4"), (1, 2), (0, 4), ("0.4", 10)):
            lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
            assert taylor._variations(p, lo, hi) == sum(lo < mpmath.mpf(r.p) / r.q < hi for r in roots)


def test_exponential_decay():
    # y' = -y, y(0) = 1: y(t) = exp(-t)
    with mpmath.workdps(DPS):
        r = run([-y], [y], [1], t_end=mpmath.mpf(3))
        assert r.t == 3 and close(r.state[0], mpmath.exp(-3))


def test_logistic_with_dense_output():
    # y' = y(1 - y), y(0) = 1/10: y(t) = 1/(1 + 9 e^-t)
    with mpmath.workdps(DPS):
        r = run([y * (1 - y)], [y], [mpmath.mpf(1) / 10], t_end=mpmath.mpf(5), record=True)
        assert close(r.state[0], 1 / (1 + 9 * mpmath.exp(-5)))
        for p in r.pieces:
            t = p.start + mpmath.mpf(p.span.numerator) / p.span.denominator / 3
            assert close(p(t)[0], 1 / (1 + 9 * mpmath.exp(-t)))


def test_blow_up_event():
    # y' = y^2, y(0) = 1: y = 1/(1 - t) reaches 10 at t = 9/10
    with mpmath.workdps(DPS):
        r = run([y**2], [y], [1], event=(0, mpmath.mpf(10)))
        assert r.reached and close(r.t, mpmath.mpf(9) / 10) and close(r.state[0], mpmath.mpf(10))


def test_division():
    # y' = 1/y, y(0) = 1: y = sqrt(1 + 2t)
    with mpmath.workdps(DPS):
        r = run([1 / y], [y], [1], t_end=mpmath.mpf(4))
        assert close(r.state[0], 3)


def test_oscillator_crosses_zero():
    # x' = v, v' = -x, x(0) = 1, v(0) = 0: x = cos t, v = -sin t (components pass through 0)
    with mpmath.workdps(DPS):
        r = run([v, -x], [x, v], [1, 0], t_end=mpmath.mpf(10))
        assert close(r.state[0], mpmath.cos(10)) and close(r.state[1], -mpmath.sin(10))


def test_event_at_equilibrium_is_input_error():
    # y = 1 is an equilibrium of the logistic flow: y never reaches 2
    with pytest.raises(InputError, match="stationary"):
        run([y * (1 - y)], [y], [1], event=(0, mpmath.mpf(2)))


def test_tolerance_is_met_at_each_precision():
    # the error of exp(-1) falls with the working precision (two precisions, same closed form)
    errors = []
    for dps in (20, 40):
        with mpmath.workdps(dps + 10):
            r = taylor.integrate(taylor.compile_program([-y], [y]), [mpmath.mpf(1)], dps, t_end=mpmath.mpf(1))
            errors.append(abs(r.state[0] - mpmath.exp(-1)))
    assert errors[0] < tolerance(20) and errors[1] < tolerance(40) and errors[1] < errors[0]


@settings(max_examples=15, deadline=None)
@given(a=st.fractions(-3, 3), b=st.fractions(-3, 3), y0=st.fractions("1/10", 2))
def test_bernoulli_equation(a, b, y0):
    # y' = a y + b y^2: y(t) = a y0 e^(at) / (a + b y0 (1 - e^(at))) (a != 0); y0/(1 - b y0 t) (a = 0)
    a, b, y0 = (sympy.Rational(f.numerator, f.denominator) for f in (a, b, y0))
    with mpmath.workdps(DPS + 10):
        ea = mpmath.exp(a)
        den = a + b * y0 * (1 - ea) if a else 1 - b * y0
        den0 = a if a else 1  # the denominator at t = 0; it is monotone in t
        assume(den * den0 > 0 and abs(den) > mpmath.mpf(1) / 10)  # no blow-up on [0, 1]
        exact = (a * y0 * ea / den) if a else y0 / den
    with mpmath.workdps(DPS):
        prog = taylor.compile_program([a * y + b * y**2], [y])
        r = taylor.integrate(prog, [mpmath.mpf(y0.p) / y0.q], DPS, t_end=mpmath.mpf(1))
        assert abs(r.state[0] - exact) <= tolerance(DPS, exact)


def test_squares_of_a_small_state_keep_their_digits():
    # y' = y^2 is scale invariant: y(0) = 10^-30 gives y = y0/(1 - y0 t), which doubles at
    # t = 1/(2 y0); the square (10^-60) is far below 1, so its block exponent must follow 2 mag(y)
    with mpmath.workdps(DPS):
        y0 = mpmath.mpf(10) ** -30
        r = run([y**2], [y], [y0], t_end=1 / (2 * y0))
        assert abs(r.state[0] / (2 * y0) - 1) <= tolerance(DPS)


def test_zero_denominator_on_the_trajectory_is_input_error():
    # y' = 1/y at y(0) = 0: the right-hand side is undefined at the start
    with pytest.raises(InputError, match="zero denominator"):
        run([1 / y], [y], [0], t_end=mpmath.mpf(1))


def test_event_crossed_early_in_a_long_step():
    # y' = y, y(0) = 1 reaches 1 + 10^-20 at t = log1p(10^-20) ≈ 10^-20, far inside the first
    # step (whose length is set by the radius of exp, about 1): the crossing test must be a sign
    # change, not the size of the overshoot (y' = 1 near t = 0: t carries y's absolute tolerance)
    with mpmath.workdps(DPS):
        target = 1 + mpmath.mpf(10) ** -20
        r = run([y], [y], [1], event=(0, target))
        with mpmath.workdps(2 * DPS):
            exact = mpmath.log(target)
        assert r.reached and close(r.t, exact)


def test_small_component_keeps_its_relative_digits():
    # x' = -x, w' = -w with w(0) = 10^-12 x(0): w/x = 10^-12 exactly for all t, and w keeps its
    # own relative precision (a component within bits/2 binades of the largest is resolved to
    # 2^-bits of itself)
    w = sympy.Symbol("w")
    with mpmath.workdps(DPS):
        r = run([-x, -w], [x, w], [1, mpmath.mpf(10) ** -12], t_end=mpmath.mpf(2))
        assert abs(r.state[1] / (mpmath.mpf(10) ** -12 * mpmath.exp(-2)) - 1) <= tolerance(DPS)


def test_event_at_the_start_is_reached_at_time_zero():
    # the event value is the initial value: reached at t = 0
    with mpmath.workdps(DPS):
        r = run([-y], [y], [1], event=(0, mpmath.mpf(1)))
        assert r.reached and r.t == 0 and r.state == [1]


def test_complex_constant_is_input_error():
    """The right-hand side of a real ODE: a constant with an imaginary part is refused."""
    with pytest.raises(InputError, match="not real"):
        taylor.compile_program([y + sympy.I], [y])
    assert taylor.compile_program([y + sympy.sqrt(2)], [y]).ops  # the real twin compiles


def test_event_below_a_decreasing_start():
    # y' = -y, y(0) = 2: y = 1 at t = ln 2 (the start lies above the event value)
    with mpmath.workdps(DPS):
        r = run([-y], [y], [2], event=(0, 1))
        assert r.reached and close(r.t, mpmath.log(2))


def test_power_of_a_sum():
    # y' = (1 + y)^2, y(0) = 0: u = 1 + y solves u' = u^2, so y = t/(1 - t) = 1 at t = 1/2
    with mpmath.workdps(DPS):
        r = run([(1 + y) ** 2], [y], [0], t_end=mpmath.mpf(1) / 2)
        assert r.t == mpmath.mpf(1) / 2 and close(r.state[0], 1)


def test_quotient_by_a_sum():
    # y' = y/(1 + y): ln y + y = t + 1 from y(0) = 1, so y = 2 at t = 1 + ln 2
    with mpmath.workdps(DPS):
        r = run([y / (1 + y)], [y], [1], event=(0, 2))
        assert r.reached and close(r.t, 1 + mpmath.log(2))


def test_irrational_factor():
    # y' = sqrt(2) y, y(0) = 1: y(1) = e^sqrt(2) (sqrt(2) is a factor, not a rational coefficient)
    with mpmath.workdps(DPS):
        r = run([sympy.sqrt(2) * y], [y], [1], t_end=1)
        assert close(r.state[0], mpmath.exp(mpmath.sqrt(2)))


def test_negative_denominator():
    # y' = 1/y, y(0) = -1: y^2 = 1 + 2t on the negative branch, y(4) = -3
    with mpmath.workdps(DPS):
        r = run([1 / y], [y], [-1], t_end=4)
        assert close(r.state[0], -3)


def test_start_at_zero():
    # y' = 1 + y^2, y(0) = 0: y = tan t (the whole state is 0 at the start)
    with mpmath.workdps(DPS):
        r = run([1 + y**2], [y], [0], t_end=1)
        assert close(r.state[0], mpmath.tan(1))


def test_event_exactly_at_the_end_of_the_last_step():
    # y' = 1, y(0) = 0: y = t equals 1 exactly at t_end = 1, where the last step ends
    with mpmath.workdps(DPS):
        r = run([sympy.Integer(1)], [y], [0], t_end=1, event=(0, 1))
        assert r.reached and r.t == 1 and r.state == [1]


def test_event_value_the_flow_leaves_behind_is_not_reached():
    # y' = -y from 1: y < 1 for t > 0 never reaches 1 + 2^-125, although that value rounds to the
    # start on the engine's fixed-point grid (about 116 bits at 30 digits)
    with mpmath.workprec(200):
        target = 1 + mpmath.mpf(2) ** -125
    with mpmath.workdps(DPS):
        r = run([-y], [y], [1], t_end=1, event=(0, target))
        assert not r.reached and r.t == 1 and close(r.state[0], mpmath.exp(-1))


def test_step_cap_is_input_error():
    with pytest.raises(InputError, match="did not finish within 2 steps"):
        run([-y], [y], [1], t_end=mpmath.mpf(100), max_steps=2)


def test_equilibrium_start_gives_a_constant_trajectory():
    # y = 1 is a fixed point of y' = y(1 - y): the run reaches t_end with one constant piece
    with mpmath.workdps(DPS):
        r = run([y * (1 - y)], [y], [1], t_end=5, record=True)
        assert r.reached and r.t == 5 and r.state == [1]
        assert len(r.pieces) == 1 and r.pieces[0](mpmath.mpf(3)) == [1]


@pytest.mark.parametrize("gap", ["1e-6", "1e-2"])
def test_event_touched_and_left_within_one_step(gap):
    # x = sin t (x' = v, v' = -x from (0, 1)) first reaches 1 - gap at t = asin(1 - gap) and falls
    # below it again at pi - asin(1 - gap), 0.0028 (gap 10^-6) or 0.28 (gap 10^-2) later, inside
    # one step (steps are about 1 long here)
    with mpmath.workdps(DPS):
        target = 1 - mpmath.mpf(gap)
        r = run([v, -x], [x, v], [0, 1], t_end=3, event=(0, target))
        assert r.reached and close(r.t, mpmath.asin(target))


def test_quotient_without_a_numerator():
    # y' = 1/(y(1 + y)): y^2/2 + y^3/3 = t + 5/6 from y(0) = 1, so y = 2 at t = 2 + 8/3 - 5/6 = 23/6
    with mpmath.workdps(DPS):
        r = run([1 / (y * (1 + y))], [y], [1], event=(0, 2))
        assert r.reached and close(r.t, mpmath.mpf(23) / 6)


def test_small_coefficient_keeps_the_relative_precision():
    # y' = -10^-12 y, y(0) = 1: y(10^12) = 1/e (the product's magnitude is 2^-40 of y's)
    with mpmath.workdps(DPS):
        r = run([-y / 10**12], [y], [1], t_end=mpmath.mpf(10) ** 12)
        assert close(r.state[0], mpmath.exp(-1))


def test_irrational_constant_at_a_hundred_digits():
    # y' = sqrt(2) y: y(1) = e^sqrt(2) to 95 digits; the constant must carry the working precision
    dps = 100
    with mpmath.workdps(dps):
        r = taylor.integrate(taylor.compile_program([sympy.sqrt(2) * y], [y]), [mpmath.mpf(1)], dps,
                             t_end=mpmath.mpf(1))
        assert close(r.state[0], mpmath.exp(mpmath.sqrt(2)), dps)


def test_order_and_bits_follow_their_documented_rules():
    # Jorba & Zou (2005): order ceil(-ln(eps)/2) + 1, so 20 at eps = 10^-16 and 36 at 10^-30;
    # the working precision is dps decimal digits plus 16 guard bits (116 bits at 30 digits)
    assert taylor.order_for(16) == 20 and taylor.order_for(30) == 36
    assert taylor.bits_for(30) == 116 and taylor.bits_for(16) == 70


def test_event_just_below_a_maximum_at_the_start():
    # x = cos t (x' = v, v' = -x from (1, 0)) reaches 1 - 10^-6 at acos(1 - 10^-6) ≈ 0.0014; the
    # polynomial is flat at the start: Newton's first step from the secant point (1.3e-4) jumps
    # to 0.5, far past the root, and the iteration comes back from the other side
    with mpmath.workdps(DPS):
        target = 1 - mpmath.mpf(10) ** -6
        r = run([v, -x], [x, v], [1, 0], event=(0, target))
        assert r.reached and close(r.t, mpmath.acos(target), DPS - 3)


@pytest.mark.parametrize("dps", [30, 60])
@pytest.mark.parametrize("c", [sympy.pi, sympy.Rational(1, 3)], ids=["pi", "third"])
def test_constants_keep_the_requested_digits(c, dps):
    # y' = c y from 1: y(1) = e^c (closed form) to the requested tolerance 10^-dps relative (the
    # constant, irrational or a rational that is not dyadic, must carry more than dps digits)
    with mpmath.workdps(dps):
        r = taylor.integrate(taylor.compile_program([c * y], [y]), [mpmath.mpf(1)], dps, t_end=mpmath.mpf(1))
    with mpmath.workdps(dps + 20):
        want = mpmath.exp(mpmath.mpf(sympy.N(c, dps + 20)))
        assert abs(r.state[0] - want) <= mpmath.mpf(10) ** -dps * want


def test_exponent_is_floor_log2_of_the_scaled_value():
    # _exponent(x, e) = floor(log2 |x 2^e|): the n with 2^n <= |x| 2^e < 2^(n+1), checked by exact
    # rational comparison for both signs, at powers of two and on either side of them
    from fractions import Fraction

    for x in (1, 2, 3, 4, 5, 7, 8, 9, 2**40 - 1, 2**40, 2**40 + 1, 3 * 2**70 + 11):
        for sign in (1, -1):
            for e in (-130, -1, 0, 5):
                n = taylor._exponent(sign * x, e)
                value = abs(Fraction(sign * x) * Fraction(2) ** e)
                assert Fraction(2) ** n <= value < Fraction(2) ** (n + 1), (sign * x, e, n)


@pytest.mark.parametrize("dps", [30, 60])
def test_event_refinement_converges_quadratically(dps, monkeypatch):
    # a simple crossing is refined by safeguarded Newton, whose correct bits double per step: about
    # log2(bits) evaluations of p and p' from the bracket, where bisection would need one per bit;
    # allowed twice that count (y' = -y from 2 reaches 1 at ln 2; y' = y^2 from 1 reaches 10 at 9/10)
    calls = []
    polyval = mpmath.polyval

    def counted(*args, **kw):
        calls.append(kw.get("derivative", False))
        return polyval(*args, **kw)

    monkeypatch.setattr(mpmath, "polyval", counted)
    bound = 2 * math.ceil(math.log2(taylor.bits_for(dps)))
    cases = (([-y], 2, 1, lambda: mpmath.log(2)), ([y**2], 1, 10, lambda: mpmath.mpf(9) / 10))
    for rhs, y0, target, t_hit in cases:
        calls.clear()
        with mpmath.workdps(dps):
            r = taylor.integrate(taylor.compile_program(rhs, [y]), [mpmath.mpf(y0)], dps,
                                 event=(0, mpmath.mpf(target)))
            assert r.reached and close(r.t, t_hit(), dps)
        assert 0 < sum(calls) <= bound, (rhs, sum(calls), bound)


def test_pieces_tile_the_interval_and_join_continuously():
    # the dense-output pieces of y' = y(1 − y) from 1/10 cover [0, 5] end to end (t0 + span is the
    # next t0, the last ends at t_end), and each piece at its right end is the closed form
    # 1/(1 + 9 e^−t) there, so consecutive pieces join
    with mpmath.workdps(DPS):
        r = run([y * (1 - y)], [y], [mpmath.mpf(1) / 10], t_end=mpmath.mpf(5), record=True)
        assert len(r.pieces) > 3 and r.pieces[0].t0 == 0
        for a, b in zip(r.pieces, r.pieces[1:]):
            assert a.t0 + a.span == b.t0
        assert r.pieces[-1].t0 + r.pieces[-1].span == 5
        for p in r.pieces:
            end = taylor._mpf(p.t0 + p.span)
            assert close(p(end)[0], 1 / (1 + 9 * mpmath.exp(-end)))
