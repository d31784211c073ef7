"""Claims of [A] on the reduced ODE (theory document A10): the single-index flows from Mehler's
formula, the reduced ODE ``Ṁ = (I − G) Φ(G) M`` against the Stiefel gradient flow pushed to
``M``, the staircase's diagonal flow, and the invariants ``0 ⪯ G ⪯ I`` and the decreasing loss.

The theory document's formulas under test are typed here (``theory_*``) and checked against
what :mod:`gfverify.theory.reduced_ode` derives; they are never used to compute the other side."""

from __future__ import annotations

from itertools import pairwise

import mpmath
import numpy as np
import sympy

from gfverify.claims.derivation import Derivation
from gfverify.claims.judge import exact_identity, require_digits
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics.precision import tolerance
from gfverify.numerics.reduced_flow import flow_samples, random_link, random_start
from gfverify.theory import reduced_ode as ro
from gfverify.theory.averaging import psi as averaging_psi
from gfverify.theory.hermite import h, hermite_coefficients

M = ro.M
Z1, Z2, Z3 = sympy.symbols("z1 z2 z3", real=True)
Zq = sympy.Symbol("z", real=True)
STAIRCASE = Z1 + Z1 * Z2 + Z1 * Z2 * Z3
TWO_SCALE = h(1, Z1) + h(3, Z2)


# ----------------------------------------------------------------------------- the theory, typed

def theory_rhs(alphas: dict, m: sympy.Symbol, planted: bool) -> sympy.Expr:
    """``ṁ = (1 − m²) Σ k α_k² m^{2k−1}``; planted ``(1 − m²) Σ k α_k² m^{k−1}``."""
    power = (lambda k: k - 1) if planted else (lambda k: 2 * k - 1)
    return (1 - m**2) * sympy.Add(*[k * a**2 * m ** power(k) for k, a in alphas.items() if k >= 1])


def theory_staircase_flow(g1, g2, g3) -> list[sympy.Expr]:
    """Staircase: ``ġ1 = 2g1(1−g1)(1+g2+g2g3)``, ``ġ2 = 2g2(1−g2)g1(1+g3)``, ``ġ3 = 2g3(1−g3)g1g2``."""
    return [2 * g1 * (1 - g1) * (1 + g2 + g2 * g3), 2 * g2 * (1 - g2) * g1 * (1 + g3),
            2 * g3 * (1 - g3) * g1 * g2]


# ----------------------------------------------------------------------------- single index

def single_index_derivation() -> Derivation:
    """ψ(ρ) by Mehler and the two single-index flows, for symbolic α_1..α_4."""
    a = sympy.symbols("alpha1:5", real=True)
    alphas = {k + 1: a[k] for k in range(4)}
    return Derivation.of(
        ("ψ(ρ) = <A_ρ f, f> = ", ro.mehler_psi(alphas, ro.RHO), "   (Mehler: A_ρ h_k = ρ^k h_k)"),
        ("two-timescale: ṁ = (1 − m²) ψ'(m²) m = ", sympy.factor(ro.single_index_rhs(alphas, M))),
        ("planted:       ṁ = (1 − m²) P'(m)     = ",
         sympy.factor(ro.single_index_rhs(alphas, M, planted=True))))


@claim("A.single_index_ode", kind="identity", source="A10", derivation=single_index_derivation,
       statement="single index: Mehler's ψ(ρ) = Σ α_k² ρ^k, differentiated, gives "
                 "ṁ = (1 − m²) Σ k α_k² m^{2k−1} (two-timescale) and (1 − m²) Σ k α_k² m^{k−1} "
                 "(planted)",
       latex=r"\dot m = (1-m^2)\sum_k k\alpha_k^2 m^{2k-1}")
def single_index(dps: int) -> Evidence:
    """Route 1: ψ by Mehler, differentiated (theory.reduced_ode). Route 2: the theory
    document's formulas, typed; α_1..α_6 symbolic."""
    a = sympy.symbols("alpha1:7", real=True)
    alphas = {k + 1: a[k] for k in range(6)}
    diffs = [ro.single_index_rhs(alphas, M, planted=p) - theory_rhs(alphas, M, p)
             for p in (False, True)]
    return exact_identity(diffs, "sympy: Mehler psi differentiated vs the typed formula "
                          "(alpha_1..alpha_6 symbolic)")


# ----------------------------------------------------------------------------- two routes

def routes_derivation() -> Derivation:
    """ψ and Φ for h1(z1) + h3(z2), the two routes, and one derived entry of Ṁ."""
    G = ro.symmetric_matrix(2)
    psi = ro.psi_of(TWO_SCALE, [Z1, Z2], G)
    phi = ro.symmetric_gradient(psi, G)
    rhs, _ = ro.reduced_rhs(Z1 * Z2 + Z1**2 * Z2, [Z1, Z2])
    return Derivation.of(
        ("f* = h1(z1) + h3(z2):  ψ(G) = ", psi, ",  Φ = ", phi),
        "route 1: Ṁ = (I − G) Φ(G) M, Φ_ij = (1/2) ∂ψ/∂g_ij off the diagonal",
        "route 2: Ṁ = (1/2) ∇_M ψ(MMᵀ) − M sym(Mᵀ (1/2) ∇_M ψ(MMᵀ))  (Stiefel gradient pushed to M)",
        ("f* = z1 z2 + z1² z2:  Ṁ[0,0] = ", sympy.factor(rhs[0, 0])))


def _route_pushforward(link: sympy.Expr, zs: list, Msym: sympy.Matrix) -> sympy.Matrix:
    """Route 2: ψ(M Mᵀ) differentiated in the independent entries of M (sympy chain rule), then
    the Stiefel gradient of L(W) = ½‖f*‖² − ½ψ pushed to M = W*ᵀW:
    ∇_W L = −½ W* ∇_Mψ, Ẇ = −(∇_W L − W sym(Wᵀ∇_W L)), so Ṁ = ½∇_Mψ − M sym(Mᵀ ½∇_Mψ)."""
    q = len(zs)
    G = ro.symmetric_matrix(q)
    Gm = Msym * Msym.T
    psi_m = sympy.expand(ro.psi_of(link, zs, G).subs(
        {G[i, j]: Gm[i, j] for i in range(q) for j in range(i, q)}, simultaneous=True))
    half_grad = Msym.applyfunc(lambda e: sympy.diff(psi_m, e)) / 2
    S = Msym.T * half_grad
    return half_grad - Msym * (S + S.T) / 2


ROUTE_LINKS = [("z**3 + z**2 (q=1)", Zq**3 + Zq**2, [Zq]),
               ("h1(z1) + h3(z2)", TWO_SCALE, [Z1, Z2]),
               ("z1*z2 + z1**2*z2", Z1 * Z2 + Z1**2 * Z2, [Z1, Z2])]
STAIRCASE_LINK = [("staircase z1 + z1 z2 + z1 z2 z3", STAIRCASE, [Z1, Z2, Z3])]


@claim("A.reduced_ode_routes", kind="identity", source="A10", derivation=routes_derivation,
       statement="the reduced ODE Ṁ = (I − G) Φ(G) M (Φ the symmetric gradient) equals the Stiefel "
                 "gradient flow of L(W) = ½‖f*‖² − ½ψ(G) pushed to M = W*ᵀW (q = 1, 2)",
       latex=r"\dot M = (I-G)\nabla_G\psi(G)\,M",
       variants={"": dict(links=ROUTE_LINKS),
                 "_q3": dict(links=ROUTE_LINKS + STAIRCASE_LINK, tier="full",
                             statement="the reduced ODE equals the pushed Stiefel gradient flow also "
                                       "for the q = 3 staircase")})
def reduced_ode_routes(dps: int, links: list) -> Evidence:
    """Route 1: (I − G) Φ(G) M with the symmetric gradient. Route 2: the Stiefel gradient of
    ψ(M Mᵀ) pushed to M (:func:`_route_pushforward`). Also, in q = 1, the Wick route against
    Mehler on the Hermite coefficients, and the planted ψ of h3(z1) + h3(z2) = Σ M_ij³."""
    diffs, names = [], []
    for name, link, zs in links:
        rhs, Msym = ro.reduced_rhs(link, zs)
        diffs.extend(list(rhs - _route_pushforward(link, zs, Msym)))
        names.append(name)
    link = Zq**3 + Zq**2
    alphas = dict(enumerate(hermite_coefficients(link, 3)))
    wick, _ = ro.reduced_rhs(link, [Zq], sympy.Matrix([[M]]))
    diffs.append(wick[0, 0] - ro.single_index_rhs(alphas, M))
    planted, _ = ro.planted_rhs(link, [Zq], sympy.Matrix([[M]]))
    diffs.append(planted[0, 0] - ro.single_index_rhs(alphas, M, planted=True))
    Msym = ro.general_matrix(2)
    diffs.append(sympy.expand(averaging_psi(h(3, Z1) + h(3, Z2), Msym, [Z1, Z2])
                              - sum(e**3 for e in Msym)))
    return exact_identity(diffs, "sympy: (I-G) Phi M with the symmetric gradient vs the Stiefel "
                          "gradient of psi(M M^T) pushed to M; Wick vs Mehler in q = 1",
                          details={"links": "; ".join(names)})


@claim("A.staircase_diagonal_flow", kind="identity", source="A10",
       statement="staircase: a diagonal M stays diagonal, ġ1 = 2g1(1 − g1)(1 + g2 + g2g3), "
                 "ġ2 = 2g2(1 − g2)g1(1 + g3), ġ3 = 2g3(1 − g3)g1g2; h1(z1) + h3(z2) has "
                 "ψ = g11 + g22³",
       latex=r"\dot g_1 = 2g_1(1-g_1)(1+g_2+g_2g_3)")
def staircase_flow(dps: int) -> Evidence:
    """Route 1: the diagonal of (I − G) Φ(G) M at diagonal M, derived from ψ (Φ off-diagonal = 0
    checked by theory.reduced_ode.diagonal_flow). Route 2: the typed equations."""
    gdot, gs = ro.diagonal_flow(STAIRCASE, [Z1, Z2, Z3])
    diffs = [a - b for a, b in zip(gdot, theory_staircase_flow(*gs))]
    G = ro.symmetric_matrix(2)
    diffs.append(ro.psi_of(TWO_SCALE, [Z1, Z2], G) - (G[0, 0] + G[1, 1] ** 3))
    gdot2, gs2 = ro.diagonal_flow(TWO_SCALE, [Z1, Z2])
    diffs.extend([gdot2[0] - 2 * gs2[0] * (1 - gs2[0]), gdot2[1] - 6 * gs2[1] ** 3 * (1 - gs2[1])])
    return exact_identity(diffs, "sympy: diag of (I-G) Phi(G) M at diagonal M (Phi off-diagonal = 0 "
                          "checked) vs the typed equations; psi(G) = g11 + g22^3 for h1(z1) + h3(z2)")


# ----------------------------------------------------------------------------- invariants

def theory_loss_rate(M: sympy.Matrix, phi: sympy.Matrix, G: sympy.Matrix) -> sympy.Expr:
    """``dL/dt = −tr(Mᵀ Φ (I − G) Φ M)`` along the reduced flow (≤ 0 since I − G ⪰ 0)."""
    return -(M.T * phi * (sympy.eye(G.shape[0]) - G) * phi * M).trace()


def _loss_rate_identity() -> sympy.Expr:
    """dL/dt along the flow minus −tr(Mᵀ Φ (I − G) Φ M) (≤ 0 since I − G ⪰ 0), for z1³ + z1 z2 + z2²."""
    link, zs = Z1**3 + Z1 * Z2 + Z2**2, [Z1, Z2]
    rhs, Msym = ro.reduced_rhs(link, zs)
    G = ro.symmetric_matrix(2)
    psi = ro.psi_of(link, zs, G)
    Gm = Msym * Msym.T
    sub = {G[i, j]: Gm[i, j] for i in range(2) for j in range(i, 2)}
    loss = -sympy.expand(psi.subs(sub, simultaneous=True)) / 2
    rate = sum(sympy.diff(loss, e) * r for e, r in zip(Msym, rhs))
    phi = ro.symmetric_gradient(psi, G).subs(sub, simultaneous=True)
    target = theory_loss_rate(Msym, phi, Gm)
    return sympy.expand(rate - target)


@claim("A.flow_invariants", kind="property", source="A10",
       statement="the reduced flow keeps 0 ⪯ G ⪯ I and decreases the loss: "
                 "dL/dt = −tr(Mᵀ Φ (I − G) Φ M) ≤ 0",
       latex=r"\tfrac{d}{dt}L = -\operatorname{tr}(M^\top\Phi(I-G)\Phi M)\le 0",
       variants={"": dict(cases=1, seed=5),
                 "_sweep": dict(cases=6, seed=11, tier="full",
                                statement="0 ⪯ G ⪯ I and a decreasing loss along six more random "
                                          "reduced flows (q = 2)",
                                latex=r"0\preceq G(t)\preceq I")})
def flow_invariants(dps: int, cases: int, seed: int) -> Evidence:
    """Route 1 (exact): dL/dt = −tr(MᵀΦ(I−G)ΦM), an identity in M. Route 2 (numeric): along
    ODE trajectories from random links and starts, the eigenvalues of G stay in [0, 1] and the
    loss never increases."""
    residual = _loss_rate_identity()
    rng = np.random.default_rng(seed)
    tol = tolerance(dps)
    worst_eig, worst_rise, rows, digits = mpmath.mpf(0), mpmath.mpf(0), [], float(dps)
    lo_eig, hi_eig = mpmath.inf, -mpmath.inf
    G = ro.symmetric_matrix(2)
    for _ in range(cases):
        link, M0 = random_link(rng), random_start(rng, 2)
        loss_of = sympy.lambdify([G[0, 0], G[0, 1], G[1, 1]], -ro.psi_of(link, [Z1, Z2], G) / 2,
                                 "mpmath")
        samples, traj = flow_samples(link, [Z1, Z2], M0, 3, dps, n=7)
        digits = min(digits, require_digits(traj.digits, dps, f"reduced flow of {link}"))
        losses = []
        with mpmath.workdps(dps + 10):
            for _, Mt in samples:
                Gt = Mt * Mt.T
                ev = mpmath.eigsy(Gt)[0]
                lo_eig, hi_eig = min(lo_eig, min(ev)), max(hi_eig, max(ev))
                worst_eig = max(worst_eig, -min(ev), max(ev) - 1)
                losses.append(loss_of(Gt[0, 0], Gt[0, 1], Gt[1, 1]))
        worst_rise = max(worst_rise, max(b - a for a, b in pairwise(losses)))
        rows.append(f"{link}: loss {mpmath.nstr(losses[0], 6)} -> {mpmath.nstr(losses[-1], 6)}")
    holds = residual == 0 and worst_eig <= tol and worst_rise <= tol
    return Evidence(holds=holds, residual=max(worst_eig, worst_rise, mpmath.mpf(0)), tolerance=tol,
                    method="sympy identity dL/dt = -tr(M^T Phi (I-G) Phi M); ODE samples of random "
                    "flows (eigenvalues of G in [0,1], loss non-increasing, samples confirmed to the working "
                    "precision)", digits=digits,
                    details={"identity residual": str(residual), "flows": "; ".join(rows),
                             "eigenvalues of G along the flows":
                                 f"[{mpmath.nstr(lo_eig, 6)}, {mpmath.nstr(hi_eig, 12)}]",
                             "largest eigenvalue excursion": mpmath.nstr(worst_eig, 3),
                             "largest loss increase": mpmath.nstr(worst_rise, 3)})
