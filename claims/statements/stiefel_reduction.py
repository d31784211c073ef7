"""Claims of [A] on the reduction itself (docs/theory.md A10, A16): the Stiefel gradient flow of
the population loss integrated on ``W ∈ St(d, q)`` in ``d`` dimensions, with its gradient from
Stein's lemma and Wick moments (:mod:`gfverify.numerics.stiefel_flow`, no ``ψ``, ``Φ`` or
``A_N``), projected to ``M = W*ᵀW``, against the dimension-free reduced ODE derived from ``ψ``
(:mod:`gfverify.theory.reduced_ode`) and integrated by the ODE layer. ``W*`` is a dense exact
rational frame (a product of Householder reflections), ``W(0) = W* M0 + W⊥ (I − M0ᵀM0)^{1/2}``
with a generic, non-symmetric rational ``M0``."""

from __future__ import annotations

import mpmath
import sympy

from gfverify.claims.judge import require_digits, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import ode
from gfverify.numerics import reduced_numeric as rn
from gfverify.numerics import stiefel_flow as sf
from gfverify.numerics import stiefel_quadrature as sq
from gfverify.theory import reduced_ode as ro

R = sympy.Rational
Z1, Z2, Z3 = sympy.symbols("z1 z2 z3", real=True)
M0_2 = sympy.Matrix([[R(2, 5), R(-1, 5)], [R(1, 10), R(3, 10)]])
M0_3 = sympy.Matrix([[R(3, 10), R(-1, 10), R(1, 5)], [R(1, 5), R(1, 4), R(-1, 10)],
                     [R(-1, 10), R(1, 10), R(3, 10)]])
QUICK = Z1 + Z1 * Z2
CUBIC = Z1 + Z1 * Z2 + Z2**3 / 3
STAIRCASE = Z1 + Z1 * Z2 + Z1 * Z2 * Z3
PLANTED = Z1 * Z2 + Z1**2 * Z2 + Z2**3 / 3
SAMPLES = 4


def _reduced(link: sympy.Expr, zs: list, M0: sympy.Matrix, t_end: sympy.Expr, dps: int,
             planted: bool = False, gram: str = "MMT") -> tuple[list, float]:
    """The reduced ODE's ``M(t_j)``, ``t_j = j t_end / SAMPLES``, flattened, confirmed to ``dps``
    digits by the ODE layer; ``gram = "MTM"`` puts ``G = MᵀM`` in place of ``MMᵀ``."""
    if planted:
        rhs, Msym = ro.planted_rhs(link, zs)
    elif gram == "MMT":
        rhs, Msym = ro.reduced_rhs(link, zs, expand=False)
    else:
        q = len(zs)
        Msym, G = ro.general_matrix(q), ro.symmetric_matrix(q)
        Gm = Msym.T * Msym
        sub = {G[i, j]: Gm[i, j] for i in range(q) for j in range(i, q)}
        phi = ro.symmetric_gradient(ro.psi_of(link, zs, G), G).subs(sub, simultaneous=True)
        rhs = (sympy.eye(q) - Gm) * phi * Msym
    times = [t_end * j / SAMPLES for j in range(1, SAMPLES + 1)]
    traj = ode.solve(ode.OdeSystem.from_sympy(list(rhs), list(Msym)), list(M0), t_end, dps, t_eval=times)
    return [v for y in traj.ys for v in y], traj.digits


def _compare(dps: int, link: sympy.Expr, zs: list, M0: sympy.Matrix, t_end: sympy.Expr, d: int,
             planted: bool = False, gram: str = "MMT") -> Evidence:
    reduced, digits = _reduced(link, zs, M0, t_end, dps, planted, gram)
    model = "planted" if planted else "two-timescale"
    times = [t_end * j / SAMPLES for j in range(1, SAMPLES + 1)]
    return _judge(dps, reduced, digits, sf.projected_run(link, zs, M0, times, d, model),
                  f"{model} Stiefel flow on St({d}, {len(zs)}) (Stein + Wick gradient, "
                  f"Bulirsch-Stoer in arb, two precisions) projected to M = W*^T W vs the "
                  f"reduced ODE (ODE layer), {SAMPLES} samples on [0, {t_end}], absolute",
                  len(zs)).also(link=str(link), M0=sympy.sstr(M0))


def _judge(dps: int, reduced: list, digits: float, run, what: str, q: int) -> Evidence:
    """``versus_numeric`` of the ``d``-dimensional ``run`` against the confirmed ``reduced`` samples."""
    require_digits(digits, dps, "reduced ODE samples")
    ev = versus_numeric(reduced, run, dps, what, relative=False)
    reached = mpmath.nstr(-mpmath.log10(ev.residual), 3) if ev.residual else "all"
    return ev.also(digits_d_vs_reduced=reached,
                   M_end=", ".join(mpmath.nstr(v, 12) for v in reduced[-q * q:]))


def _relu_planted_reduced(M0: sympy.Matrix, t_end: sympy.Expr, dps: int) -> tuple[list, float]:
    """The planted ODE ``Ṁ = Γ − M sym(MᵀΓ)`` of ``f* = Σ relu(z_i)``, ``Γ_ij = κ'(M_ij) =
    ¼ + arcsin(M_ij)/(2π)`` (arc-cosine kernel, docs/theory.md A8), as a rational system for the
    ODE layer: the state is ``M``, ``b_ij = Γ_ij`` and ``c_ij = √(1 − M_ij²)``, with
    ``ḃ_ij = Ṁ_ij/(2π c_ij)``, ``ċ_ij = −M_ij Ṁ_ij/c_ij``; ``M(t_j)`` flattened as in :func:`_reduced`."""
    q = M0.rows
    Msym = ro.general_matrix(q)
    b = sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"b{i + 1}{j + 1}", real=True))
    c = sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"c{i + 1}{j + 1}", real=True))
    S = Msym.T * b
    Mdot = b - Msym * (S + S.T) / 2
    rhs = list(Mdot) + [Mdot[k] / (2 * sympy.pi * c[k]) for k in range(q * q)] + \
        [-Msym[k] * Mdot[k] / c[k] for k in range(q * q)]
    system = ode.OdeSystem.from_sympy(rhs, list(Msym) + list(b) + list(c))
    start = list(M0) + [R(1, 4) + sympy.asin(m) / (2 * sympy.pi) for m in M0] + \
        [sympy.sqrt(1 - m**2) for m in M0]
    times = [t_end * j / SAMPLES for j in range(1, SAMPLES + 1)]
    traj = ode.solve(system, start, t_end, dps, t_eval=times)
    return [v for y in traj.ys for v in y[:q * q]], traj.digits


def _quadrature_run(coefficients: sf.Coefficients, d: int, M0: sympy.Matrix, times: list):
    """``p ↦`` the ``d``-dimensional flow's ``W*ᵀW(t_j)`` flattened, with the gradient
    coefficients ``M ↦ (A, B)``, from :func:`sf.start_pair` ``(d, M0, seed=d)``."""
    def run(p: int) -> list:
        W_star, W0 = sf.start_pair(d, M0, seed=d)
        return [v for M in sf.flow_overlaps(coefficients, W_star, W0, times) for v in M]
    return run


def _relu_planted_compare(dps: int, d: int, t_end: sympy.Expr, M0: sympy.Matrix = M0_2,
                          threshold=0) -> Evidence:
    reduced, digits = _relu_planted_reduced(M0, t_end, dps)
    times = [t_end * j / SAMPLES for j in range(1, SAMPLES + 1)]
    q = M0.rows

    def coefficients(M: mpmath.matrix):
        return sq.relu_sum_coefficients(M, threshold)

    run = _quadrature_run(coefficients, d, M0, times)
    return _judge(dps, reduced, digits, run,
                  f"planted Stiefel flow of relu(z1) + ... + relu(z{q}) on St({d}, {q}) (Stein "
                  f"coefficients by 1-D half-range Gauss-Hermite quadrature, Bulirsch-Stoer in arb, "
                  f"two precisions) projected to M = W*^T W vs the planted ODE with the arc-cosine "
                  f"kernel (ODE layer), {SAMPLES} samples on [0, {t_end}], absolute",
                  q).also(M0=sympy.sstr(M0))


def _relu_compare(dps: int, d: int, t_end: sympy.Expr, M0: sympy.Matrix = M0_2,
                  model: str = "two-timescale", gram: str = "MMT") -> Evidence:
    """The ``d``-dimensional relu-sum flow (``model``; ``gram`` as in
    :func:`sq.relu_sum_two_timescale_coefficients`) against the reduced two-timescale ODE of
    :func:`rn.relu_sum_system` (``Φ`` and ``√(1 − G_ij²)`` carried as states, ODE layer)."""
    q = M0.rows
    times = [t_end * j / SAMPLES for j in range(1, SAMPLES + 1)]
    system, _ = rn.relu_sum_system(q)
    states, digits, _ = rn.flow_states(system, rn.relu_sum_start(M0), q, times, dps)
    reduced = [v for M in states[1:] for v in M]
    if model == "planted":
        coefficients = sq.relu_sum_coefficients
        gradient = "planted Stein coefficients, link f*"
    else:
        def coefficients(M: mpmath.matrix):
            return sq.relu_sum_two_timescale_coefficients(M, gram)
        gradient = f"two-timescale Stein coefficients A = -K M, B = M^T K M, K = P(a > 0, b > 0) at {gram}"
    return _judge(dps, reduced, digits, _quadrature_run(coefficients, d, M0, times),
                  f"Stiefel flow of relu(z1) + ... + relu(z{q}) on St({d}, {q}) ({gradient}, by 1-D "
                  f"half-range Gauss-Hermite quadrature; Bulirsch-Stoer in arb, two precisions) "
                  f"projected to M = W*^T W vs the reduced ODE (I - G) Phi(G) M with the arc-cosine "
                  f"Phi (ODE layer), {SAMPLES} samples on [0, {t_end}], absolute",
                  q).also(M0=sympy.sstr(M0))


def stein_derivation(link: sympy.Expr, zs: list) -> str:
    """The Stein + Wick gradient coefficients of the two-timescale learner for ``link``."""
    A, B, _ = sf.stein_coefficients(link, tuple(zs), "two-timescale")
    return "\n".join([
        f"f* = {link};  grad_W L = W* A + W B with M = W*^T W (Stein's lemma, Wick moments of "
        "(W*^T x, W^T x), link = least-squares fit in He_beta(W^T x), held fixed: envelope)",
        "A = " + sympy.sstr(A.applyfunc(sympy.factor)),
        "B = " + sympy.sstr(B.applyfunc(sympy.factor)),
        "Mdot = W*^T Wdot = -(A + M B) + M sym(M^T A + B)",
    ])


@claim("A.stiefel_reduction", kind="ode", source="A10", derivation=stein_derivation,
       statement="the Stiefel gradient flow of ½E[(f*(W*ᵀx) − f(Wᵀx))²] on St(d, 2), link at its "
                 "optimum, projected to M = W*ᵀW, follows Ṁ = (I − G)Φ(G)M, G = MMᵀ "
                 "(d = 20, f* = z1 + z1z2)",
       latex=r"W_*^\top W(t) = M(t),\ \dot M = (I-G)\Phi(G)M",
       variants={"": dict(link=QUICK, zs=[Z1, Z2], M0=M0_2, t_end=R(1, 2), d=20),
                 "_d300": dict(link=CUBIC, zs=[Z1, Z2], M0=M0_2, t_end=R(1), d=300, tier="full",
                               statement="the d = 300 Stiefel flow (f* = z1 + z1z2 + z2³/3), "
                                         "projected to M = W*ᵀW, follows Ṁ = (I − G)Φ(G)M"),
                 "_q3": dict(link=STAIRCASE, zs=[Z1, Z2, Z3], M0=M0_3, t_end=R(1), d=200, tier="full",
                             statement="the d = 200 Stiefel flow of the staircase (q = 3), "
                                       "projected to M = W*ᵀW, follows Ṁ = (I − G)Φ(G)M")})
def stiefel_reduction(dps: int, link: sympy.Expr, zs: list, M0: sympy.Matrix, t_end: sympy.Expr,
                      d: int) -> Evidence:
    """Route 1: the d×q Stiefel flow, ∇_W L = W* A + W B from Stein's lemma with Wick moments
    of (W*ᵀx, Wᵀx) and the least-squares link (envelope theorem), integrated by Bulirsch–Stoer at
    two precisions. Route 2: the reduced ODE from ψ and its symmetric gradient Φ (ODE layer)."""
    return _compare(dps, link, zs, M0, t_end, d)


@claim("A.stiefel_reduction_MtM", kind="negative-control", source="A10",
       statement="the d = 20 Stiefel flow, projected to M = W*ᵀW, follows Ṁ = (I − G)Φ(G)M with "
                 "G = MᵀM (f* = z1 + z1z2)",
       latex=r"\dot M = (I-M^\top M)\Phi(M^\top M)M")
def stiefel_reduction_mtm(dps: int) -> Evidence:
    """The twin of A.stiefel_reduction (same d-dimensional route, same judge) against the reduced
    ODE with G = MᵀM in place of MMᵀ, a different flow for non-symmetric M."""
    return _compare(dps, QUICK, [Z1, Z2], M0_2, R(1, 2), 20, gram="MTM")


@claim("A.stiefel_reduction_planted", kind="ode", source="A16",
       statement="the planted Stiefel flow of ½E[(f*(W*ᵀx) − f*(Wᵀx))²] on St(d, 2), projected to "
                 "M = W*ᵀW, follows Ṁ = Γ − M sym(MᵀΓ), Γ = ∇_M⟨A_M f*, f*⟩ (d = 20)",
       latex=r"\dot M = \Gamma - M\,\mathrm{sym}(M^\top\Gamma)",
       variants={"": dict(d=20, t_end=R(1, 2)),
                 "_d300": dict(d=300, t_end=R(1), tier="full",
                               statement="the planted Stiefel flow on St(300, 2), projected to "
                                         "M = W*ᵀW, follows Ṁ = Γ − M sym(MᵀΓ)")})
def stiefel_reduction_planted(dps: int, d: int, t_end: sympy.Expr) -> Evidence:
    """Route 1: the d×2 planted Stiefel flow (link f*), gradient by Stein + Wick, Bulirsch–Stoer
    at two precisions. Route 2: Ṁ = Γ − M sym(MᵀΓ) with Γ = ∇_M⟨A_M f*, f*⟩ (ODE layer)."""
    return _compare(dps, PLANTED, [Z1, Z2], M0_2, t_end, d, planted=True)


@claim("A.stiefel_reduction_planted_relu", kind="ode", source="A16",
       statement="the planted Stiefel flow of ½E[(f*(W*ᵀx) − f*(Wᵀx))²] on St(20, 2), "
                 "f* = relu(z1) + relu(z2), projected to M = W*ᵀW, follows Ṁ = Γ − M sym(MᵀΓ), "
                 "Γ_ij = ¼ + arcsin(M_ij)/(2π)",
       latex=r"\dot M = \Gamma - M\,\mathrm{sym}(M^\top\Gamma),\ "
             r"\Gamma_{ij} = \tfrac14 + \tfrac{\arcsin M_{ij}}{2\pi}",
       tier="full",
       variants={"": dict(d=20, t_end=R(1), M0=M0_2),
                 "_d300": dict(d=300, t_end=R(1), M0=M0_2,
                               statement="the planted Stiefel flow of relu(z1) + relu(z2) on St(300, 2), "
                                         "projected to M = W*ᵀW, follows Ṁ = Γ − M sym(MᵀΓ), "
                                         "Γ_ij = ¼ + arcsin(M_ij)/(2π)"),
                 "_q3": dict(d=200, t_end=R(1), M0=M0_3,
                             statement="the planted Stiefel flow of relu(z1) + relu(z2) + relu(z3) on "
                                       "St(200, 3), projected to M = W*ᵀW, follows Ṁ = Γ − M sym(MᵀΓ), "
                                       "Γ_ij = ¼ + arcsin(M_ij)/(2π)")})
def stiefel_reduction_planted_relu(dps: int, d: int, t_end: sympy.Expr, M0: sympy.Matrix) -> Evidence:
    """Route 1: the d×q planted Stiefel flow, ∇_W L = W* A + W B from Stein's lemma with A, B
    Gaussian expectations of relu' and relu terms of (W*ᵀx, Wᵀx) by one-dimensional quadrature
    (no kernel closed form), Bulirsch–Stoer at two precisions. Route 2: the reduced planted ODE
    with the arc-cosine kernel's derivative as a rational system (ODE layer)."""
    return _relu_planted_compare(dps, d, t_end, M0)


RELU_TWO = ("the Stiefel gradient flow of ½E[(f*(W*ᵀx) − f(Wᵀx))²] on St({d}, {q}), f* = {link}, "
            "link at its optimum (the conditional mean of f*(W*ᵀx) given Wᵀx), projected to M = W*ᵀW, "
            "follows Ṁ = (I − G)Φ(G)M, G = MMᵀ, Φ_ij = ¼ + arcsin(G_ij)/(2π)")


def relu_derivation(M0: sympy.Matrix) -> str:
    """The two-timescale relu-sum Stein coefficients, with their values at ``M(0)`` (30 digits)."""
    with mpmath.workdps(30):
        A, B = sq.relu_sum_two_timescale_coefficients(mpmath.matrix(M0.tolist()))
        values = [f"{name}(M0) = {mpmath.nstr(X.tolist(), 12)}" for name, X in (("A", A), ("B", B))]
    return "\n".join([
        "f* = sum_i relu(z_i), link f_W(v) = E[f*(u) | v], u | v ~ N(M v, I - M M^T); Stein with the "
        "link held fixed (envelope): grad_W L = W* A + W B,",
        "A = -K M, B = M^T K M, K_ij = P(a > 0, b > 0) at correlation (M M^T)_ij (1-D quadrature)",
        "Mdot = -(A + M B) + M sym(M^T A + B) = (I - G) K M",
        f"M0 = {sympy.sstr(M0)}", *values])


@claim("A.stiefel_reduction_relu", kind="ode", source="A10", derivation=relu_derivation,
       statement=RELU_TWO.format(d=20, q=2, link="relu(z1) + relu(z2)"),
       latex=r"W_*^\top W(t) = M(t),\ \dot M = (I-G)\Phi(G)M,\ "
             r"\Phi_{ij} = \tfrac14 + \tfrac{\arcsin G_{ij}}{2\pi}",
       variants={"": dict(d=20, t_end=R(1, 4), M0=M0_2),
                 "_d300": dict(d=300, t_end=R(1), M0=M0_2, tier="full",
                               statement=RELU_TWO.format(d=300, q=2, link="relu(z1) + relu(z2)")),
                 "_q3": dict(d=200, t_end=R(1), M0=M0_3, tier="full",
                             statement=RELU_TWO.format(d=200, q=3, link="relu(z1) + relu(z2) + relu(z3)"))})
def stiefel_reduction_relu(dps: int, d: int, t_end: sympy.Expr, M0: sympy.Matrix) -> Evidence:
    """Route 1: the d×q Stiefel flow with the learner's gradient at the optimal link
    E[f*(u) | v] held fixed (envelope), A = −KM and B = MᵀKM from Stein's lemma, K_ij the orthant
    probability at correlation (MMᵀ)_ij by one-dimensional quadrature (no kernel closed form and
    no ψ, Φ or A_N), Bulirsch–Stoer at two precisions. Route 2: the reduced ODE with the
    arc-cosine kernel's derivative as a rational system (ODE layer)."""
    return _relu_compare(dps, d, t_end, M0)


@claim("A.stiefel_reduction_relu_planted", kind="negative-control", source="A10",
       statement="the planted Stiefel flow of ½E[(f*(W*ᵀx) − f*(Wᵀx))²] on St(20, 2) (link fixed to "
                 "f* = relu(z1) + relu(z2)), projected to M = W*ᵀW, follows the two-timescale ODE "
                 "Ṁ = (I − G)Φ(G)M, G = MMᵀ",
       latex=r"\dot M_{\mathrm{planted}} = (I-G)\Phi(G)M")
def stiefel_reduction_relu_planted(dps: int) -> Evidence:
    """The twin of A.stiefel_reduction_relu (same reduced ODE, same judge, same start) with the
    planted Stein coefficients of the relu sum on the d-dimensional side: the two models differ."""
    return _relu_compare(dps, 20, R(1, 4), M0_2, model="planted")
