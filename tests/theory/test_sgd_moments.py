"""One online-SGD step of the overlap: its mean is the planted reduced ODE's right-hand side
(A20: an unbiased step), and its variance at m = 0 by hand."""

import numpy as np
import pytest
import sympy
from numpy.polynomial.hermite_e import hermeder, hermegauss, hermeval

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


def test_noise_of_h1_at_every_overlap_by_hand():
    """s = 1: r = (m − 1)z + √(1 − m²)u, so E[r²u²] = (m − 1)² + 3(1 − m²), b = 1 − m² and
    σ² = (1 − m²)E[r²u²] − b² = (1 − m)²(1 + m)(3 + m)."""
    b, sigma2 = step_moments(1)
    m = ro.M
    assert sympy.expand(b - (1 - m**2)) == 0
    assert sympy.expand(sigma2 - (1 - m) ** 2 * (1 + m) * (3 + m)) == 0


@pytest.mark.parametrize("s", [2, 3])
@pytest.mark.parametrize("m", [0.3, -0.7])
def test_moments_against_gauss_hermite_quadrature(s, m):
    """b(m) = E[r c u] and σ²(m) = c²E[r²u²] − b² from their definition by a 2-D Gauss–Hermite rule
    (exact for these polynomials) in float64, r = (h_s(z*) − h_s(z)) h_s'(z), z* = m z + c u."""
    x, w = hermegauss(20)
    w = w / np.sqrt(2 * np.pi)
    z, u = np.meshgrid(x, x, indexing="ij")
    W = np.outer(w, w)
    coef = np.zeros(s + 1)
    coef[s] = 1 / np.sqrt(float(sympy.factorial(s)))  # h_s = He_s/√s!
    c = np.sqrt(1 - m * m)
    r = (hermeval(m * z + c * u, coef) - hermeval(z, coef)) * hermeval(z, hermeder(coef))
    b_quad = (W * r * c * u).sum()
    sigma2_quad = c * c * (W * r * r * u * u).sum() - b_quad**2
    b, sigma2 = step_moments(s)
    assert float(b.subs(ro.M, m)) == pytest.approx(b_quad, rel=1e-12, abs=1e-13)
    assert float(sigma2.subs(ro.M, m)) == pytest.approx(sigma2_quad, rel=1e-12)
