"""One online-SGD step of the overlap: its mean is the planted reduced ODE's right-hand side
(A20: an unbiased step), and its variance at m = 0 by hand."""

import pytest
import sympy

from gfverify.theory import reduced_ode as ro
from gfverify.theory.sgd_moments import step_moments


@pytest.mark.parametrize("s", [1, 2, 3])
def test_drift_is_the_planted_ode(s):
    b, _ = step_moments(s)
    assert sympy.expand(b - ro.single_index_rhs({s: 1}, ro.M, planted=True)) == 0


def test_noise_at_the_equator_by_hand():
    # m = 0: z* = u, r = h1(u) - h1(z), b = E[r u] = 1, σ² = E[(u - z)² u²] - b² = (3 + 1) - 1
    _, sigma2 = step_moments(1)
    assert sigma2.subs(ro.M, 0) == 3
    # h2: r = (h2(u) - h2(z)) √2 z, b(0) = 0, σ² = 2 E[(h2(u) - h2(z))² z² u²]
    #   = 2 (E[h2(u)² u²] E z² + E[h2(z)² z²] E u² - 2 E[h2(u) u²] E[h2(z) z²]) = 2 (5 + 5 - 4)
    _, sigma2 = step_moments(2)
    assert sigma2.subs(ro.M, 0) == 12
