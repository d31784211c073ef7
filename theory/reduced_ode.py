"""The dimension-free reduced dynamics of [A], derived symbolically from the link.

Two-timescale problem: ``ψ(G) = <A_G f*, f*>``, ``G = M Mᵀ``, ``Φ(G) = ∇_G ψ`` (the symmetric
gradient: ``dψ = tr(Φ dG)`` for symmetric ``dG``) and ``Ṁ = (I − G) Φ(G) M``.
Planted problem: ``P(M) = <A_M f*, f*>``, ``Γ = ∇_M P`` and ``Ṁ = Γ − M sym(Mᵀ Γ)``.
Single index (q = 1): ``ψ(ρ) = Σ α_k² ρ^k`` by Mehler (``A_ρ h_k = ρ^k h_k``), differentiated."""

from __future__ import annotations

from typing import Mapping, Sequence

import sympy

from gfverify.errors import InputError
from gfverify.theory.averaging import psi as averaging_psi

M = sympy.Symbol("m", real=True)
RHO = sympy.Symbol("rho", real=True)

Alphas = Mapping[int, sympy.Expr]


def check_alphas(alphas: Alphas) -> dict[int, sympy.Expr]:
    """Hermite coefficients ``{k: α_k}`` with ``k ≥ 1`` (``α_0`` does not move the flow) and
    at least one non-zero; exact sympy numbers or real symbols."""
    out = {}
    for k, a in alphas.items():
        if int(k) != k or k < 0:
            raise InputError(f"Hermite index must be a non-negative integer, got {k!r}")
        a = sympy.sympify(a)
        if a.is_real is False or (a.is_number and a.is_real is not True):
            raise InputError(f"Hermite coefficient alpha_{k} must be a real number, got {a}")
        if k >= 1 and a != 0:
            out[int(k)] = a
    if not out:
        raise InputError("the link has no non-zero Hermite coefficient of degree >= 1: "
                         "the flow does not move")
    return out


def mehler_psi(alphas: Alphas, rho: sympy.Expr = RHO) -> sympy.Expr:
    """``<A_ρ f, f>`` for ``f = Σ α_k h_k`` in q = 1: ``A_ρ h_k = ρ^k h_k`` (Mehler) and
    orthonormality of the ``h_k`` give ``Σ_k α_k² ρ^k`` (the Gaussian kernel of ``f``)."""
    alphas = check_alphas(alphas)
    return sympy.Add(*[a**2 * rho**k for k, a in sorted(alphas.items())])


def single_index_rhs(alphas: Alphas, m: sympy.Symbol = M, planted: bool = False) -> sympy.Expr:
    """``ṁ`` of the single-index flow, derived from Mehler's ``ψ``.

    Two-timescale: ``ψ(G) = mehler_psi(G)``, ``Φ = ψ'(G)``, ``ṁ = (1 − m²) Φ(m²) m``.
    Planted: ``P(m) = mehler_psi(m)``, ``ṁ = (1 − m²) P'(m)`` (Stiefel gradient on the sphere)."""
    if planted:
        return sympy.expand((1 - m**2) * sympy.diff(mehler_psi(alphas, RHO), RHO).subs(RHO, m))
    phi = sympy.diff(mehler_psi(alphas, RHO), RHO)
    return sympy.expand((1 - m**2) * phi.subs(RHO, m**2) * m)


def single_index_loss(alphas: Alphas, m: sympy.Symbol = M, planted: bool = False) -> sympy.Expr:
    """Reduced loss: ``½ Σ α_k² (1 − m^{2k})`` (two-timescale) or ``Σ α_k² (1 − m^k)`` (planted),
    i.e. ``½‖f‖² − ½ψ(m²)`` and ``‖f‖² − P(m)`` with ``α_0`` left out."""
    total = sympy.Add(*[a**2 for a in check_alphas(alphas).values()])
    if planted:
        return sympy.expand(total - mehler_psi(alphas, m))
    return sympy.expand((total - mehler_psi(alphas, m**2)) / 2)


# ----------------------------------------------------------------------------- multi-index

def symmetric_matrix(q: int, name: str = "g") -> sympy.Matrix:
    """A symbolic symmetric q×q matrix with entries ``g_ij = g_ji`` (``i ≤ j``)."""
    syms = {(i, j): sympy.Symbol(f"{name}{i + 1}{j + 1}", real=True)
            for i in range(q) for j in range(i, q)}
    return sympy.Matrix(q, q, lambda i, j: syms[(min(i, j), max(i, j))])


def general_matrix(q: int, name: str = "m") -> sympy.Matrix:
    """A symbolic q×q matrix with independent real entries ``m_ij``."""
    return sympy.Matrix(q, q, lambda i, j: sympy.Symbol(f"{name}{i + 1}{j + 1}", real=True))


def _check_q(zs: Sequence[sympy.Symbol]) -> int:
    q = len(zs)
    if not 1 <= q <= 4:
        raise InputError(f"the reduced dynamics is derived for q = 1 to 4 variables, got q = {q}")
    return q


def psi_of(link: sympy.Expr, zs: Sequence[sympy.Symbol], G: sympy.Matrix) -> sympy.Expr:
    """``ψ(G) = <A_G f*, f*>`` for a polynomial link (Wick engine of ``theory.averaging``)."""
    _check_q(zs)
    return sympy.expand(averaging_psi(link, G, list(zs)))


def symmetric_gradient(psi: sympy.Expr, G: sympy.Matrix) -> sympy.Matrix:
    """``Φ = ∇_G ψ`` for ``ψ`` written in the entries of a symmetric ``G`` (one symbol per pair
    ``g_ij = g_ji``): ``Φ_ii = ∂ψ/∂g_ii`` and ``Φ_ij = ½ ∂ψ/∂g_ij`` for ``i ≠ j``, so that
    ``dψ = tr(Φ dG)`` for every symmetric ``dG``."""
    q = G.shape[0]
    return sympy.Matrix(q, q, lambda i, j: sympy.diff(psi, G[i, j]) * (1 if i == j else sympy.Rational(1, 2)))


def reduced_rhs(link: sympy.Expr, zs: Sequence[sympy.Symbol], Msym: sympy.Matrix | None = None,
                expand: bool = True) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(Ṁ, M)`` with ``Ṁ = (I − G) Φ(G) M``, ``G = M Mᵀ``, for a polynomial link in ``zs``;
    ``expand=False`` keeps the product form (shorter programs for the ODE layer)."""
    q = _check_q(zs)
    Msym = general_matrix(q) if Msym is None else Msym
    G = symmetric_matrix(q)
    phi = symmetric_gradient(psi_of(link, zs, G), G)
    Gm = Msym * Msym.T
    subs = {G[i, j]: Gm[i, j] for i in range(q) for j in range(i, q)}
    rhs = (sympy.eye(q) - Gm) * phi.subs(subs, simultaneous=True) * Msym
    return (rhs.applyfunc(sympy.expand) if expand else rhs), Msym


def planted_gamma(link: sympy.Expr, zs: Sequence[sympy.Symbol],
                  Msym: sympy.Matrix) -> sympy.Matrix:
    """``Γ = ∇_M <A_M f*, f*>`` (Euclidean gradient in the independent entries of ``M``)."""
    _check_q(zs)
    P = sympy.expand(averaging_psi(link, Msym, list(zs)))
    return Msym.applyfunc(lambda e: sympy.diff(P, e))


def planted_rhs(link: sympy.Expr, zs: Sequence[sympy.Symbol],
                Msym: sympy.Matrix | None = None) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(Ṁ, M)`` of the planted Stiefel flow ``Ṁ = Γ − M sym(Mᵀ Γ)``."""
    q = _check_q(zs)
    Msym = general_matrix(q) if Msym is None else Msym
    gamma = planted_gamma(link, zs, Msym)
    S = Msym.T * gamma
    rhs = gamma - Msym * (S + S.T) / 2
    return rhs.applyfunc(sympy.expand), Msym


def diagonal_flow(link: sympy.Expr,
                  zs: Sequence[sympy.Symbol]) -> tuple[list[sympy.Expr], list[sympy.Symbol]]:
    """For a link whose ``Φ`` is diagonal at diagonal ``G`` (so that diagonal ``M`` stays
    diagonal): ``ġ_i = 2 g_i (1 − g_i) Φ_ii(diag g)``, ``g_i = G_ii = M_ii²``.
    Raises ``InputError`` when ``Φ`` has an off-diagonal entry at diagonal ``G``."""
    q = _check_q(zs)
    G = symmetric_matrix(q)
    phi = symmetric_gradient(psi_of(link, zs, G), G)
    gs = [sympy.Symbol(f"g{i + 1}", nonnegative=True) for i in range(q)]
    diag = {G[i, j]: (gs[i] if i == j else 0) for i in range(q) for j in range(i, q)}
    phid = phi.subs(diag, simultaneous=True).applyfunc(sympy.expand)
    off = [phid[i, j] for i in range(q) for j in range(q) if i != j and phid[i, j] != 0]
    if off:
        raise InputError("Phi is not diagonal at diagonal G for this link: "
                         "a diagonal M does not stay diagonal")
    return [sympy.expand(2 * g * (1 - g) * phid[i, i]) for i, g in enumerate(gs)], gs
