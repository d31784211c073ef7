"""Exact binomial tests at the edges of the parameter range."""

from gfverify.numerics.statistics import binomial_power, binomial_rejects, two_proportion_p_value


def test_zero_successes_is_an_outcome():
    # 0 of 20 under p0 = 1/2 has probability 2^-20: a valid outcome, and rejected at 1%
    assert binomial_rejects(0, 20, 0.5, 0.01)


def test_power_against_a_certain_alternative():
    # p1 = 1: every run gives n successes, so the power is 1 exactly when n is rejected
    # (P(n | 1/2) = 2^-20 < 1%); p1 = 0 likewise with 0 successes
    assert binomial_rejects(20, 20, 0.5, 0.01)
    assert binomial_power(20, 0.5, 1.0, 0.01) == 1.0
    assert binomial_power(20, 0.5, 0.0, 0.01) == 1.0


def test_two_proportion_p_value_is_symmetric_in_the_two_groups():
    # the pooled z test compares s1/n1 with s2/n2: swapping the groups (n1 != n2) changes nothing
    assert abs(two_proportion_p_value(30, 100, 90, 200) - two_proportion_p_value(90, 200, 30, 100)) < 1e-15
    # 30/100 against 50/100: pooled p = 0.4, se = sqrt(0.24 * 0.02), z = 0.2 / se ≈ 2.887,
    # two-sided p = 2(1 - Φ(z)) ≈ 0.0039
    assert abs(two_proportion_p_value(30, 100, 50, 100) - 0.0038924) < 1e-6
