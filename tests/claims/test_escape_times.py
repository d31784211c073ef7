"""The certified route of A.escape_time_closed_form / A.planted_escape: the closed form lies in
the arb enclosure of ∫ dm/R (CERTIFIED) and a closed form off by a relative 10⁻²⁰ FAILs through
the same judge and the same ball."""

import sympy

from gfverify.claims.judge import enclosure
from gfverify.claims.statements import escape_times as E
from gfverify.numerics import certified_ode as co
from gfverify.numerics.precision import tolerance


def test_closed_form_in_the_certified_escape_ball_and_a_perturbed_one_fails(verdict):
    rhs, d = E.rhs_of("h3", True), 10**4
    t_cf = E.closed_form_grid("h3", True, (d,), 30)[0]
    ball = co.escape_enclosure(co.rational_coefficients(rhs, E.M), 1 / sympy.sqrt(d), E.HALF, 30)
    for value, status in ((t_cf, "CERTIFIED"), (t_cf * (1 + sympy.Rational(1, 10**20)), "FAIL")):
        assert verdict(lambda dps: enclosure(value, ball, tolerance(dps, abs(t_cf)), "T"), "A17") == status


def test_escape_closed_form_claim_is_certified():
    ev = E.escape_closed_form(30, names=("h3",), ds=(10**2,), planted=False)
    assert ev.holds and ev.certified and "certified" in ev.details
