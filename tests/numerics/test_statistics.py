"""Exact binomial tests at the edges of the parameter range."""

from gfverify.numerics.statistics import binomial_power, binomial_rejects


def test_zero_successes_is_an_outcome():
    # 0 of 20 under p0 = 1/2 has probability 2^-20: a valid outcome, and rejected at 1%
    assert binomial_rejects(0, 20, 0.5, 0.01)


def test_power_against_a_certain_alternative():
    # p1 = 1: every run gives n successes, so the power is 1 exactly when n is rejected
    # (P(n | 1/2) = 2^-20 < 1%); p1 = 0 likewise with 0 successes
    assert binomial_rejects(20, 20, 0.5, 0.01)
    assert binomial_power(20, 0.5, 1.0, 0.01) == 1.0
    assert binomial_power(20, 0.5, 0.0, 0.01) == 1.0
