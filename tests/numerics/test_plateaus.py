"""The ROS2 integrator against the logistic stage of h1 in closed form, its order, and the
plateau detector on a profile with known transitions."""

import math

import numpy as np
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import plateaus as pl

z1 = sympy.Symbol("z1", real=True)


def _logistic_error(rtol: float) -> float:
    """f* = h1: ġ = 2g(1 − g) for g = m², so g = g0 e^{2t}/(1 − g0 + g0 e^{2t}); L = ½(1 − g)."""
    flow = pl.ReducedFlow.of(z1, [z1])
    m0 = 1e-2
    run = pl.integrate(flow, np.array([[[m0]]]), 12.0, rtol)[0]
    g0 = m0 * m0
    exact = [0.5 * (1 - g0 * math.exp(2 * t) / (1 - g0 + g0 * math.exp(2 * t))) for t in run.ts]
    return float(np.max(np.abs(run.losses - np.array(exact))))


def test_ros2_follows_the_logistic_stage_and_converges():
    coarse, fine = _logistic_error(1e-6), _logistic_error(1e-8)
    assert fine < 1e-6
    assert fine < coarse / 10   # order 2: the error falls like rtol (100x) up to step-control noise


def _profile(ts: np.ndarray) -> pl.Run:
    # two logistic drops, 1 -> 1/2 around t = 5 and 1/2 -> 0 around t = 50
    s1, s2 = 1 / (1 + np.exp(-2 * (ts - 5))), 1 / (1 + np.exp(-2 * (ts - 50)))
    loss = 1 - 0.5 * s1 - 0.5 * s2
    rate = -0.5 * 2 * s1 * (1 - s1) - 0.5 * 2 * s2 * (1 - s2)
    return pl.Run(ts, loss, rate, np.zeros((1, 1)))


def test_detector_finds_the_transitions_and_the_plateau_levels():
    profile = pl.detect(_profile(np.linspace(0, 80, 80001)))
    assert [round(t, 2) for t in profile.transitions] == [5.0, 50.0]
    assert [round(p.loss, 4) for p in profile.plateaus] == [1.0, 0.5, 0.0]   # e^{-10} from the ends
    assert [round(x, 2) for x in profile.stage_lengths()] == [5.0, 45.0]


def test_detector_refuses_a_run_that_starts_inside_a_transition():
    with pytest.raises(InputError):
        pl.detect(_profile(np.linspace(4, 80, 1001)))
