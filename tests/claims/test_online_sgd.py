"""Online-SGD claims (A20): the law test and its wrong-χ² control come out opposite through the
same judge; a wrong time map breaks the η → 0 limit; a step size off BGJ's breaks the d-rate;
the ODE side against the closed-form solution of the planted h2 flow."""

import math

import numpy as np
import pytest

from gfverify.claims.statements import online_sgd as sgd

DPS = 20


def test_wrong_dof_control_and_its_twin_differ():
    wrong = sgd.wrong_dof_sampler(DPS, n=200, dof_factor=1.5)
    true = sgd.wrong_dof_sampler(DPS, n=200, dof_factor=1.0)
    assert not wrong.holds and wrong.residual < sgd.LEVEL     # the control PASSES: rejected
    assert true.holds and true.residual >= sgd.LEVEL          # the true sampler is not rejected


def test_ks_power_against_the_wrong_dof():
    rejected, false_alarms = sgd._power(200, 4, 1.5)
    assert rejected == 4 and false_alarms == 0


def test_ode_side_is_the_closed_form():
    # planted h2: m' = 2m(1 - m^2), so m(t)^2 = m0^2 e^{4t} / (1 - m0^2 + m0^2 e^{4t})
    m_ode, digits = sgd.ode_samples(DPS)
    c = sgd.ODE_CASE
    m0 = float(c["m0"])
    t = np.arange(c["points"] + 1) * float(c["t_end"]) / c["points"]
    want = np.sqrt(m0**2 * np.exp(4 * t) / (1 - m0**2 + m0**2 * np.exp(4 * t)))
    assert digits >= DPS - 5 and np.max(np.abs(m_ode - want)) < 1e-14


def test_tracks_ode_passes_and_a_wrong_time_map_fails(monkeypatch):
    assert sgd.tracks_ode(DPS, exponents=(3.5, 4.0), seeds=8).holds
    true_setup = sgd._setup
    # the SGD clock off by 20% (t = 1.2 η k): the distance to the ODE no longer vanishes with η
    monkeypatch.setattr(sgd, "_setup", lambda s, d, lr: true_setup(s, d, 1.2 * lr))
    ev = sgd.tracks_ode(DPS, exponents=(3.5, 4.0), seeds=8)
    assert not ev.holds and ev.exponent[0] < 0.25


def test_escape_rate_fails_off_bgj_step_sizes(monkeypatch):
    assert sgd.escape_rate(DPS, s=1, ds=(100, 1000), seeds=4).holds
    # η ∝ d^{-0.8} instead of 1/d: steps ∝ d^{0.8} (the ODE side too), not BGJ's d^1
    monkeypatch.setattr(sgd, "bgj_lr", lambda s, d: 0.1 * d**-0.8)
    ev = sgd.escape_rate(DPS, s=1, ds=(100, 1000), seeds=4)
    assert not ev.holds and ev.exponent[0] < 0.95


@pytest.mark.parametrize("s", [1, 2, 3])
def test_bgj_step_sizes(s):
    # δ = η d: 0.1, 0.1/ln d, 0.03 d^{-1/2}/ln d
    d = 10**4
    want = {1: 0.1, 2: 0.1 / math.log(d), 3: 0.03 / (100 * math.log(d))}[s]
    assert sgd.bgj_lr(s, d) * d == pytest.approx(want, rel=1e-12)


@pytest.mark.sweep
@pytest.mark.parametrize("s, ds, seeds", [
    (1, (10**2, 10**3, 10**4, 10**5, 10**6), 16),
    (2, (10**2, 10**3, 10**4, 10**5), 16),
    (2, (10**2, 10**3, 10**4, 10**5, 10**6), 8),  # d = 10^6: about 40 CPU minutes
    (3, (100, 316, 1000), 8),
])
def test_escape_rate_sweep(s, ds, seeds):
    # the whole BGJ sweep that does not fit the full tier (minutes to an hour each;
    # docs/online_sgd.md); d = 10^4 for s = 3 needs ~10^10 steps (about 1 CPU hour) per run and
    # is not run
    ev = sgd.escape_rate(DPS, s=s, ds=ds, seeds=seeds)
    assert ev.holds, dict(ev.details)


def test_escape_per_run_against_a_wrong_ode(monkeypatch):
    # a cheaper case (η = 10⁻⁵, 8 runs, 25%) passes; the ODE at half speed (T doubled) fails
    monkeypatch.setitem(sgd.PER_RUN, "lr", 1e-5)
    monkeypatch.setitem(sgd.PER_RUN, "seeds", 8)
    monkeypatch.setitem(sgd.PER_RUN, "within", 0.25)
    assert sgd.escape_per_run(DPS).holds
    true_rhs = sgd._rhs
    monkeypatch.setattr(sgd, "_rhs", lambda s: true_rhs(s) / 2)
    ev = sgd.escape_per_run(DPS)
    assert not ev.holds and ev.residual > 0.4


def test_fluctuation_size_fails_with_a_wrong_noise(monkeypatch):
    assert sgd.fluctuation_size(DPS, exponent=4.0, seeds=32).holds
    true_moments = sgd.step_moments
    # the noise of a batch of 4 (σ²/4) predicts half the gap: rejected
    monkeypatch.setattr(sgd, "step_moments", lambda s: (true_moments(s)[0], true_moments(s)[1] / 4))
    assert not sgd.fluctuation_size(DPS, exponent=4.0, seeds=32).holds
