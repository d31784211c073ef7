"""Claims of [A] on the reduced ODE for links that are not polynomials (docs/theory.md A10): the
numeric ``Φ(G) = ∇_G ψ`` of the averaging layer by Price's identity
``Φ = sym(<A_G ∂_j f, ∂_i f>)_ij`` against the symbolic Φ (polynomial links), against the
one-dimensional reductions (``tanh(z1)·z2``, ``Σ relu(z_i)`` up to q = 4), and trajectories of
``Ṁ = (I − G) Φ(G) M`` with a numeric Φ against the ODE layer's."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from gfverify.claims.judge import numeric_pair, require_digits, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import reduced_numeric as rn
from gfverify.numerics.precision import GUARD_DIGITS
from gfverify.theory import reduced_ode as ro

Z = sympy.symbols("z1:5", real=True)
X = sympy.Symbol("x", real=True)
R = sympy.Rational
#: The correlation at which the two-variable Φ's are compared (exact, 0 ⪯ G ⪯ I, non-diagonal).
G_POINT = sympy.Matrix([[R(1, 3), R(1, 10)], [R(1, 10), R(1, 4)]])
#: Precision of the q = 2 product-grid checks (two runs at 20 and 30 digits): the grid has
#: ~(8 dps)² nodes, so 30 and 45 digits cost ~4 times as much (110 s measured on a loaded machine).
GRID_DPS = 20


def _mp(G: sympy.Matrix) -> mpmath.matrix:
    return mpmath.matrix([[mpmath.mpf(sympy.N(e, mpmath.mp.dps + 10)) for e in row] for row in G.tolist()])


def _entries(S: mpmath.matrix) -> list:
    return [S[i, j] for i in range(S.rows) for j in range(i, S.cols)]


def _circulant_G(q: int) -> sympy.Matrix:
    """``G = M Mᵀ`` for the circulant ``M`` with first row ``(1/2, 1/5, 1/10, 0, …)``
    (‖M‖_op ≤ 4/5): entries depend on ``|i − j| mod q`` only, so few distinct correlations."""
    row = [R(1, 2), R(1, 5), R(1, 10)] + [0] * (q - 3)
    M = sympy.Matrix(q, q, lambda i, j: row[(j - i) % q])
    return M * M.T


def polynomial_derivation(link: sympy.Expr) -> str:
    """ψ and the symbolic Φ of the polynomial link at G_POINT."""
    G = ro.symmetric_matrix(2)
    psi = ro.psi_of(link, Z[:2], G)
    phi = ro.symmetric_gradient(psi, G)
    sub = {G[i, j]: G_POINT[i, j] for i in range(2) for j in range(i, 2)}
    return "\n".join([f"f* = {link}", f"psi(G) = {sympy.sstr(psi)} (Wick)",
                      f"Phi(G) = {sympy.sstr(phi)}", f"Phi at G = {G_POINT.tolist()}: "
                      f"{sympy.sstr(phi.subs(sub, simultaneous=True))}",
                      "numeric side: Phi_ij = sym E[d_i f(z) d_j f(u)], E[z u^T] = G (Price), on the "
                      "averaging layer's 2-D grid"])


@claim("A.numeric_phi_polynomial", kind="identity", source="A10", derivation=polynomial_derivation,
       statement="Price's identity: Φ(G) = sym(E[∂_i f(z) ∂_j f(u)])_ij for the Gaussian pair (z, u) with "
                 "cross-covariance G, evaluated by the averaging layer's quadrature, equals the symbolic "
                 "gradient of ψ "
                 "(f* = z1³ + z1 z2 + z2², q = 2)",
       latex=r"\Phi_{ij}(G)=\operatorname{sym}\,\mathbb E[\partial_i f(z)\,\partial_j f(u)]",
       variants={"": dict(link=Z[0] ** 3 + Z[0] * Z[1] + Z[1] ** 2, tier="full")})
def numeric_phi_polynomial(dps: int, link: sympy.Expr) -> Evidence:
    """Route 1: Φ = ∇_G ψ with ψ by Wick (theory.reduced_ode), exact at G_POINT. Route 2:
    Price's identity on the q = 2 product grid of numerics.averaging, at two precisions
    (GRID_DPS and above)."""
    G = ro.symmetric_matrix(2)
    phi = ro.symmetric_gradient(ro.psi_of(link, Z[:2], G), G)
    exact = phi.subs({G[i, j]: G_POINT[i, j] for i in range(2) for j in range(i, 2)}, simultaneous=True)
    return versus_numeric([exact[0, 0], exact[0, 1], exact[1, 1]],
                          lambda p: _entries(rn.phi_quadrature(link, Z[:2], _mp(G_POINT))),
                          min(dps, GRID_DPS), "symbolic gradient of Wick's psi vs Price's identity on "
                          "the 2-D grid")


def _tanh_kmax(p: int) -> int:
    """Hermite coefficients of tanh for ``p`` digits of the Mehler series and two derivatives at
    ρ ≤ 1 (``α_k² ≈ e^{−π√k}``: the tail check of :func:`rn.hermite_kernel` confirms it)."""
    return int((((p + 2) * mpmath.log(10) + 25) / mpmath.pi) ** 2) + 1


@claim("A.numeric_phi_tanh_product", kind="identity", source="A10",
       statement="for f* = tanh(z1)·z2, Φ(G) by Price's identity on the averaging layer's 2-D grid equals "
                 "the gradient of ψ(G) = g22 κ(g11) + g12² κ'(g11), κ(ρ) = ⟨A_ρ tanh, tanh⟩ by Mehler",
       latex=r"\psi(G)=g_{22}\kappa(g_{11})+g_{12}^2\kappa'(g_{11})",
       variants={"": dict(tier="full")})
def numeric_phi_tanh_product(dps: int) -> Evidence:
    """Route 1: Price's identity on the q = 2 product grid (numerics.averaging). Route 2: the
    diagram formula ``<A_G(h_k ⊗ h_1), h_k ⊗ h_1> = g22 g11^k + k g12² g11^{k−1}`` reduces ψ to
    the one-dimensional Mehler series of tanh's numeric Hermite coefficients."""
    link = sympy.tanh(Z[0]) * Z[1]

    def reduced(p: int) -> list:
        kernel = rn.hermite_kernel(sympy.tanh(X), X, _tanh_kmax(p))
        return _entries(rn.linear_factor_link(kernel, str(link)).phi(_mp(G_POINT)))

    return numeric_pair(lambda p: _entries(rn.phi_quadrature(link, Z[:2], _mp(G_POINT))), reduced,
                        min(dps, GRID_DPS),
                        "Price's identity on the 2-D grid vs the diagram-formula reduction to Mehler "
                        "series of tanh", details={"G": str(G_POINT.tolist())})


@claim("A.numeric_phi_relu_sum", kind="identity", source="A10",
       statement="for f* = relu(z1) + relu(z2), Φ_ij(G) = E[H(x) H(y)] at correlation G_ij by "
                 "one-dimensional quadrature equals the arc-cosine kernel's derivative "
                 "(π − arccos G_ij)/(2π)",
       latex=r"\Phi_{ij}(G)=\frac{\pi-\arccos G_{ij}}{2\pi}",
       variants={"": dict(q=2, G=G_POINT, tier="full"),
                 "_q4": dict(q=4, G=_circulant_G(4), tier="full",
                             statement="for f* = relu(z1) + … + relu(z4) (q = 4), Φ_ij(G) by "
                                       "one-dimensional quadrature equals (π − arccos G_ij)/(2π)")})
def numeric_phi_relu_sum(dps: int, q: int, G: sympy.Matrix) -> Evidence:
    """Route 1: every Φ_ij = <A_{G_ij} H, H> (Price, entrywise for a separable link) on the
    averaging layer's one-dimensional grid, split at the kink. Route 2: the closed form of the
    arc-cosine kernel's derivative (Cho and Saul), at an exact G = M Mᵀ (q = 4: circulant)."""
    link = sum(sympy.Max(z, 0) for z in Z[:q])
    want = [(sympy.pi - sympy.acos(G[i, j])) / (2 * sympy.pi) for i in range(q) for j in range(i, q)]
    return versus_numeric(want, lambda p: _entries(rn.separable_quadrature_link(link, Z[:q]).phi(_mp(G))),
                          dps, "1-D quadrature of E[H(x)H(y)] (Price) vs the arc-cosine derivative",
                          details={"G": str(G.tolist())})


FLOW_DPS = 15
"""Precision of the Bulirsch–Stoer runs: its order follows the precision, and at 45 digits it needs
~10⁵ evaluations of Φ for t ≤ 30, so the numeric-Φ trajectories are confirmed to 15 digits."""


@claim("A.numeric_flow_relu_sum", kind="ode", source="A10",
       statement="the reduced ODE Ṁ = (I − G) Φ(G) M with Φ evaluated numerically (arc-cosine kernel, "
                 "Bulirsch–Stoer) follows the ODE layer's trajectory of the rational system that carries "
                 "Φ as states (f* = relu(z1) + relu(z2), t ≤ 6, 10 digits)",
       latex=r"\dot M=(I-G)\Phi(G)M",
       variants={"": dict(q=2, seed=1, t_end=6),
                 "_q4": dict(q=4, seed=2, t_end=6, tier="full",
                             statement="the numeric-Φ reduced ODE follows the ODE layer's trajectory for "
                                       "f* = relu(z1) + … + relu(z4) (q = 4, t ≤ 6, 10 digits)")})
def numeric_flow_relu_sum(dps: int, q: int, seed: int, t_end: int) -> Evidence:
    """Route 1: the rational system of :func:`rn.relu_sum_system` (Φ_ij = ¼ + arcsin(G_ij)/(2π)
    and √(1 − G_ij²) carried as states) by the ODE layer (Taylor), confirmed to ``dps − 5``
    digits. Route 2: Bulirsch–Stoer on ``M`` alone with Φ from the closed form at every
    evaluation, at 15 and 25 digits."""
    M0 = rn.haar_start(q, 10, np.random.default_rng(seed))
    times = [sympy.Rational(t_end * k, 3) for k in range(1, 4)]
    system, _ = rn.relu_sum_system(q)
    states, digits, _ = rn.flow_states(system, rn.relu_sum_start(M0), q, times, dps - GUARD_DIGITS)
    require_digits(digits, dps, "ODE layer trajectory")
    exact = [x for M in states[1:] for x in M]
    link = rn.relu_sum_link(q)

    def numeric(p: int) -> list:
        return [x for M in rn.trajectory(link, _mp(M0), [mpmath.mpf(t) for t in times]) for x in M]

    return versus_numeric(exact, numeric, FLOW_DPS, "ODE layer (rational system) vs Bulirsch-Stoer "
                          "with the closed-form Phi", relative=False,
                          details={"times": str(times), "ODE-layer digits": f"{digits:.1f}"})


@claim("A.numeric_flow_tanh_product", kind="ode", source="A10",
       statement="for f* = tanh(z1)·z2 the reduced ODE with the numeric Φ (Mehler-reduced) decreases the "
                 "loss by exactly the dissipation: L(0) − L(T) = ∫₀ᵀ tr(Mᵀ Φ (I − G) Φ M) dt (T = 3, "
                 "Haar start, d = 10)",
       latex=r"L(0)-L(T)=\int_0^T\operatorname{tr}(M^\top\Phi(I-G)\Phi M)\,dt",
       variants={"": dict(tier="full")})
def numeric_flow_tanh_product(dps: int) -> Evidence:
    """Route 1: ``L(0) − L(T)`` from ψ at the ends of a Bulirsch–Stoer trajectory with Φ from the
    Mehler series of tanh. Route 2: the dissipation ``tr(MᵀΦ(I−G)ΦM)`` at Gauss–Legendre nodes in
    time along the same trajectory (24 nodes). They agree only if Φ is the gradient of ψ and
    the trajectory solves the ODE; at FLOW_DPS and above."""
    M0 = rn.haar_start(2, 10, np.random.default_rng(1))
    runs: dict = {}

    def run(p: int) -> tuple:
        if p not in runs:
            kernel = rn.hermite_kernel(sympy.tanh(X), X, _tanh_kmax(p))
            runs[p] = rn.energy_balance(rn.linear_factor_link(kernel, "tanh(z1) z2"), _mp(M0), 3,
                                        panels=1)
        return runs[p]

    return numeric_pair(lambda p: run(p)[0], lambda p: run(p)[1], FLOW_DPS,
                        "loss drop from psi vs Gauss-Legendre integral of the dissipation from Phi",
                        details={"M(0)": str(M0.evalf(6).tolist())})
