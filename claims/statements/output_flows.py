"""Claims of docs/theory.md B1–B3: the standard flow θ' = −Dᵀ∇C and the adapted flow θ' = −D⁺∇C
seen in output space, the pseudoinverse formula, and the homotopy V_α between them (same zeros,
output kernel Θ_α). Symbolic identities on generic matrices and numeric checks on seeded
models (a tanh net and a constant-rank graph model)."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy

from gfverify.claims.derivation import Derivation
from gfverify.claims.judge import exact_identity, numeric_pair, versus_numeric
from gfverify.claims.model import Evidence
from gfverify.claims.registry import claim
from gfverify.numerics import homotopy
from gfverify.numerics.flows import SquareCost, norm
from gfverify.numerics.networks import random_graph, random_mlp
from gfverify.numerics.pseudoinverse import Jacobian
from gfverify.theory import interpolation as theory

NET = random_mlp((1, 4, 1), 2, 2)
GRAPH = random_graph(2, 2, 0)
ALPHAS = ("0", "0.5", "1")


def _velocity_routes(problems, alpha: str, dps: int, method: str) -> Evidence:
    """ẋ by numerical differentiation of ε ↦ x(θ0 + εV_α(θ0)) (route 1) against −Θ_α∇C with
    Θ_α = ``theory.output_kernel`` at the numeric D and P (route 2), both at two precisions."""
    return numeric_pair(
        lambda p: [v for pb in problems for v in homotopy.output_velocity(pb, alpha)],
        lambda p: [v for pb in problems for v in homotopy.kernel_velocity(pb, alpha, theory.output_kernel)],
        dps, method, details={"instances": "; ".join(pb.name for pb in problems), "alpha": alpha})


@claim("B.chain_rule_standard", kind="identity", source="B1",
       statement="the standard flow θ' = −Dᵀ∇C moves the outputs by ẋ = −DDᵀ∇C (the NTK)",
       latex=r"\dot x = D\dot\theta = -DD^\top\nabla_x C")
def chain_rule_standard(dps: int) -> Evidence:
    """Route 1: sympy's chain rule for generic x(θ) (m = 2, K = 3). Route 2: the output velocity
    of the standard field on a tanh net and a graph model by numerical differentiation of
    ε ↦ x(θ0 − εDᵀ∇C), against −DDᵀ∇C, at two precisions."""
    ev = _velocity_routes((NET, GRAPH), "0", dps, "d/dε x(θ0 + εV_0) (mpmath.diff) vs −DDᵀ∇C")
    symbolic = exact_identity(theory.chain_rule_output_velocity(), "")
    return ev.also(symbolic.holds, symbolic="sympy chain rule, generic x(θ), m = 2, K = 3")


@claim("B.chain_rule_adapted", kind="identity", source="B2",
       statement="the adapted flow θ' = −D⁺∇C moves the outputs by ẋ = −P∇C, P = DD⁺ the "
                 "orthogonal projector on range D (P = I at full rank)",
       latex=r"\dot x = -DD^+\nabla_x C = -P\nabla_x C")
def chain_rule_adapted(dps: int) -> Evidence:
    """The sympy chain rule with θ' = −Xg (X = D⁺), and P = DD⁺ with D⁺ = Dᵀ(DDᵀ)⁻¹:
    P² = P = Pᵀ = I for generic full-row-rank D."""
    return exact_identity(theory.chain_rule_output_velocity(adapted=True) + theory.projector_properties(),
                          "sympy chain rule with θ' = −Xg (X = D+); P = DD+ with D+ = Dᵀ(DDᵀ)⁻¹: "
                          "P² = P = Pᵀ = I at full rank")


def _random_rank_deficient(seed: int, m: int, K: int, r: int) -> sympy.Matrix:
    rng = np.random.default_rng(seed)
    A = sympy.Matrix(m, r, [int(v) for v in rng.integers(-4, 5, m * r)])
    B = sympy.Matrix(r, K, [int(v) for v in rng.integers(-4, 5, r * K)])
    return A * B


@claim("B.pinv_formula", kind="identity", source="B3",
       statement="D⁺ = Dᵀ(DDᵀ)⁺ (full row rank: Dᵀ(DDᵀ)⁻¹)", latex=r"D^+ = D^\top (DD^\top)^+")
def pinv_formula(dps: int) -> Evidence:
    """Route 1: the four Penrose conditions for Dᵀ(DDᵀ)⁻¹ with generic 2×3 D. Route 2: exact
    rank-deficient integer matrices, sympy's pinv(D) against Dᵀ pinv(DDᵀ)."""
    D = theory.generic_matrix("d", 2, 3)
    X = theory.pinv_full_row_rank(D).applyfunc(sympy.cancel)
    diffs = theory.penrose_residuals(D, X)
    for seed, (m, K, r) in enumerate([(3, 4, 2), (4, 3, 2), (3, 3, 1), (4, 5, 3)]):
        Dr = _random_rank_deficient(seed, m, K, r)
        diffs.extend(Dr.pinv() - Dr.T * (Dr * Dr.T).pinv())
    return exact_identity(diffs, "Penrose conditions for generic 2x3 D; exact rank-deficient "
                                 "integer D: sympy pinv(D) vs Dᵀ pinv(DDᵀ)")


def zeros_derivation() -> Derivation:
    """Why V_α has the same zeros for every α."""
    return Derivation.of(
        "D+ = Dᵀ(DDᵀ)+, so V_α = −Dᵀ M_α ∇C with M_α = (1−α)I + α(DDᵀ)+. With D = UΣVᵀ,",
        "(1−α)Dᵀ + αD+ = V((1−α)Σ + αΣ+)Uᵀ, whose nonzero singular values (1−α)σ_i + α/σ_i > 0",
        "(a convex combination of σ_i > 0 and 1/σ_i > 0) sit exactly on the singular vectors of D.",
        "So V_α(θ) = 0  ⇔  U_rᵀ∇C = 0  ⇔  P∇C = 0  ⇔  Dᵀ∇C = 0, for every α ∈ [0, 1].")


#: The α of the singular-value check; α = 1/2 is left out because (1−α)σ + α/σ is symmetric
#: there under α ↔ 1 − α.
SINGULAR_ALPHAS = ("0", "1/5", "2/3", "1")


def _formula_singular_values(rows) -> list:
    """theory's (1−α)σ + α/σ at the singular values σ of ``rows`` (Gram route), for each α."""
    sigma = [s for s in theory.homotopy_eigenvalue().free_symbols if s.name == "sigma"][0]
    lam = sympy.lambdify((theory.ALPHA, sigma), theory.homotopy_eigenvalue(), "mpmath")
    sig = Jacobian(rows).singular_values()
    return [v for a in SINGULAR_ALPHAS
            for v in sorted((lam(mpmath.mpf(a), s) for s in sig), reverse=True)]


@claim("B.homotopy_factorization", kind="identity", source="B3", derivation=zeros_derivation,
       statement="(1−α)Dᵀ + αD⁺ = Dᵀ((1−α)I + α(DDᵀ)⁺), with positive singular values "
                 "(1−α)σ + α/σ: V_α has the same zeros for all α",
       latex=r"(1-\alpha)D^\top + \alpha D^+ = D^\top((1-\alpha)I + \alpha(DD^\top)^+)")
def homotopy_factorization(dps: int) -> Evidence:
    """Route 1: sympy factorization for generic 2×3 D, and the singular values (1−α)σ + α/σ of
    theory evaluated at the singular values σ of an actual D (a tanh net's 2×13 Jacobian).
    Route 2: the SVD of the assembled matrix (1−α)Dᵀ + αD⁺ (D⁺ by the Gram route), at two
    precisions, for α = 0, 1/5, 2/3, 1. Positivity: (1−α)σ + α/σ is linear in α with
    positive ends σ and 1/σ (sympy)."""
    rows = lambda: NET.model.outputs_and_jacobian(NET.theta0_mp())[1]  # noqa: E731
    ev = numeric_pair(lambda p: _formula_singular_values(rows()),
                      lambda p: [v for a in SINGULAR_ALPHAS
                                 for v in homotopy.homotopy_singular_values(rows(), mpmath.mpf(a))],
                      dps, "(1−α)σ + α/σ at the singular values σ of D vs SVD of (1−α)Dᵀ + αD+",
                      details={"instance": NET.name, "alphas": ", ".join(SINGULAR_ALPHAS)})
    symbolic = exact_identity(theory.homotopy_factorization(), "")
    # (1−α)σ + α/σ is linear in α with positive end values σ and 1/σ: positive on [0, 1]
    lam = theory.homotopy_eigenvalue()
    ends = [sympy.simplify(lam.subs(theory.ALPHA, a)) for a in (0, 1)]
    positive = all(e.is_positive for e in ends) and sympy.diff(lam, theory.ALPHA, 2) == 0
    return ev.also(symbolic.holds and positive,
                   symbolic="sympy: (1−α)Dᵀ + αD+ = Dᵀ((1−α)I + α(DDᵀ)⁻¹), generic 2×3 D",
                   singular_value_ends=f"{ends[0]}, {ends[1]} (linear in α, positive: {positive})")


@claim("B.output_kernel_symbolic", kind="identity", source="B3",
       statement="ẋ = −Θ_α∇C with Θ_α = (1−α)DDᵀ + αP",
       latex=r"D((1-\alpha)D^\top + \alpha D^+) = (1-\alpha)DD^\top + \alpha P")
def output_kernel_symbolic(dps: int) -> Evidence:
    """Route 1: sympy, D((1−α)Dᵀ + αD⁺) − Θ_α = 0 for generic 2×3 D, and Θ_α of theory
    evaluated at the numeric D and P of a graph model (α = 1/3). Route 2: the output velocity
    d/dε x(θ0 + εV_α) by numerical differentiation, at two precisions."""
    ev = _velocity_routes((GRAPH,), "1/3", dps, "d/dε x(θ0 + εV_α) (mpmath.diff) vs −Θ_α∇C "
                          "(Θ_α of theory at the numeric D, P)")
    symbolic = exact_identity(theory.homotopy_kernel(), "")
    return ev.also(symbolic.holds, symbolic="sympy: D((1−α)Dᵀ + αD+) = (1−α)DDᵀ + αP, generic 2×3 D")


@claim("B.homotopy_zeros", kind="property", source="B3", derivation=zeros_derivation,
       statement="V_α has the same zeros for α = 0, ½, 1 (Newton's method on a constant-rank "
                 "graph model, where the critical point is not a global minimum)",
       latex=r"V_\alpha(\theta^*) = 0\ \forall\alpha")
def homotopy_zeros(dps: int) -> Evidence:
    """Route 1: the Newton zero of V_1, repeated. Route 2: the Newton zeros of V_0 and V_½.
    Each zero also zeroes every V_β (|V_β(θ*)| against 0), all at two precisions."""
    problem = GRAPH
    same = numeric_pair(lambda p: homotopy.zero_of(problem, 1) * (len(ALPHAS) - 1),
                        lambda p: [v for a in ALPHAS[:-1] for v in homotopy.zero_of(problem, mpmath.mpf(a))],
                        dps, "Newton zeros of V_α for α = 0, ½ vs the zero of V_1")
    cross = versus_numeric([0] * len(ALPHAS) ** 2,
                           lambda p: [homotopy.field_norm(problem, b,
                                                          homotopy.zero_of(problem, mpmath.mpf(a)))
                                      for a in ALPHAS for b in ALPHAS], dps,
                           "|V_β(θ*_α)| for α, β ∈ {0, ½, 1}", relative=False)
    with mpmath.workdps(dps):
        z = homotopy.zero_of(problem, 1)
        g = norm(SquareCost(problem.y_mp(), problem.model.n_points).grad(problem.model.outputs(z)))
    return same.also(cross.holds, instance=problem.name,
                     largest_cross_residual=mpmath.nstr(cross.residual, 3),
                     grad_norm_at_zero=mpmath.nstr(g, 5))


@claim("B.output_kernel", kind="property", source="B3",
       statement="the homotopy field moves the outputs with the kernel Θ_α = (1−α)DDᵀ + αP "
                 "(α = 0, ½, 1; a tanh net and a rank-deficient graph model)",
       latex=r"\dot x = -\Theta_\alpha \nabla_x C")
def output_kernel(dps: int) -> Evidence:
    """Route 1: d/dε x(θ0 + εV_α) by mpmath.diff. Route 2: −((1−α)DDᵀ + αP)∇C with P from
    mpmath's SVD (not the Gram route V_α uses), for α = 0, ½, 1, at two precisions."""
    evs = [_velocity_routes((NET, GRAPH), a, dps, "mpmath.diff of x(θ + εV_α) vs "
                            "−((1−α)DDᵀ + αP)∇C, P from mpmath SVD") for a in ALPHAS]
    worst = max(evs, key=lambda e: e.residual)
    return worst.also(all(e.holds for e in evs), alphas=", ".join(ALPHAS))
