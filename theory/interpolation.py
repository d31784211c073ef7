"""The symbolic side of docs/theory.md [B]: output-space dynamics of parameter-space flows.

Every function returns sympy expressions whose vanishing proves an identity (differences),
or the closed-form objects themselves. Generic matrices are small (``m = 2`` outputs,
``K = 3`` parameters) with independent symbolic entries; where a statement holds for every
size the claim's derivation gives the size-free argument."""

from __future__ import annotations

import sympy

S_, T_, N_ = sympy.symbols("s t N", positive=True)
ALPHA = sympy.Symbol("alpha", nonnegative=True)


def generic_matrix(name: str, rows: int, cols: int) -> sympy.Matrix:
    """A matrix of independent real symbols ``name_ij``."""
    return sympy.Matrix(rows, cols, lambda i, j: sympy.Symbol(f"{name}{i}{j}", real=True))


def generic_vector(name: str, n: int) -> sympy.Matrix:
    return sympy.Matrix(n, 1, lambda i, _: sympy.Symbol(f"{name}{i}", real=True))


def pinv_full_row_rank(D: sympy.Matrix) -> sympy.Matrix:
    """``Dᵀ (D Dᵀ)⁻¹``: the pseudoinverse of a matrix of full row rank."""
    return D.T * (D * D.T).inv()


def penrose_residuals(D: sympy.Matrix, X: sympy.Matrix) -> list[sympy.Expr]:
    """Entries of ``DXD − D``, ``XDX − X``, ``(DX)ᵀ − DX``, ``(XD)ᵀ − XD``: all vanish iff
    ``X = D⁺`` (the four Moore–Penrose conditions characterize the pseudoinverse)."""
    mats = [D * X * D - D, X * D * X - X, (D * X).T - D * X, (X * D).T - X * D]
    return [sympy.cancel(e) for M in mats for e in M]


def chain_rule_output_velocity(m: int = 2, K: int = 3, adapted: bool = False) -> list[sympy.Expr]:
    """``d/ds x(θ(s)) − (−Θ g)`` with ``θ' = −Dᵀ g`` (``Θ = D Dᵀ``) or ``θ' = −X g`` for a generic
    ``K×m`` matrix ``X`` standing for ``D⁺`` (``Θ = D X = P``); ``x`` generic functions of ``θ``,
    ``D = ∂x/∂θ`` taken by sympy, ``g`` a generic vector."""
    theta_f = [sympy.Function(f"theta{k}")(S_) for k in range(K)]
    x = [sympy.Function(f"x{i}")(*theta_f) for i in range(m)]
    D = sympy.Matrix(m, K, lambda i, k: sympy.diff(x[i], theta_f[k]))
    g = generic_vector("g", m)
    Dsym = generic_matrix("d", m, K)
    Ds = generic_matrix("X", K, m) if adapted else Dsym.T
    velocity = -Ds * g
    xdot = sympy.Matrix([sympy.diff(xi, S_) for xi in x])
    subs = {sympy.diff(theta_f[k], S_): velocity[k] for k in range(K)}
    subs_d = {D[i, k]: Dsym[i, k] for i in range(m) for k in range(K)}
    xdot = xdot.subs(subs).subs(subs_d)
    kernel = Dsym * Ds
    return [sympy.cancel(e) for e in (xdot + kernel * g)]


def projector_properties(m: int = 2, K: int = 3) -> list[sympy.Expr]:
    """``P = D D⁺`` for generic full-row-rank ``D``: ``P² − P``, ``Pᵀ − P`` and ``P − I``."""
    D = generic_matrix("d", m, K)
    P = (D * pinv_full_row_rank(D)).applyfunc(sympy.cancel)
    return [sympy.cancel(e) for M in (P * P - P, P.T - P, P - sympy.eye(m)) for e in M]


def homotopy_factorization(m: int = 2, K: int = 3) -> list[sympy.Expr]:
    """``(1−α)Dᵀ + αD⁺ − Dᵀ M_α`` with ``M_α = (1−α) I + α (DDᵀ)⁻¹``: the field factors
    through ``Dᵀ``, so ``V_α(θ) = 0`` iff ``M_α ∇C ⊥ range D``."""
    D = generic_matrix("d", m, K)
    M = (1 - ALPHA) * sympy.eye(m) + ALPHA * (D * D.T).inv()
    return [sympy.cancel(e) for e in ((1 - ALPHA) * D.T + ALPHA * pinv_full_row_rank(D) - D.T * M)]


def output_kernel(D, P, alpha):
    """``Θ_α = (1−α) D Dᵀ + α P``: the output kernel of the homotopy field, for matrices ``D``
    and ``P = D D⁺`` of any type with ``+``, ``*`` and ``.T`` (sympy here; the claims also
    apply it to numeric matrices)."""
    return (1 - alpha) * D * D.T + alpha * P


def homotopy_kernel(m: int = 2, K: int = 3) -> list[sympy.Expr]:
    """``D((1−α)Dᵀ + αD⁺) − Θ_α`` with :func:`output_kernel` ``Θ_α`` (``P = D D⁺``)."""
    D = generic_matrix("d", m, K)
    Dp = pinv_full_row_rank(D)
    theta = output_kernel(D, D * Dp, ALPHA)
    return [sympy.cancel(e) for e in (D * ((1 - ALPHA) * D.T + ALPHA * Dp) - theta)]


def homotopy_eigenvalue() -> sympy.Expr:
    """``(1−α)σ + α/σ``: the singular value of ``(1−α)Dᵀ + αD⁺`` belonging to a singular value
    ``σ > 0`` of ``D`` (``D = UΣVᵀ`` gives ``(1−α)Dᵀ + αD⁺ = V((1−α)Σ + αΣ⁺)Uᵀ``)."""
    sigma = sympy.Symbol("sigma", positive=True)
    return (1 - ALPHA) * sigma + ALPHA / sigma


def full_rank_solution() -> dict[str, sympy.Expr]:
    """The adapted flow at full rank in one output coordinate: ``x' = −(x − y)/N``.

    Returns the dsolve solution ``x(s)``, the claimed ``y + e^{−s/N}(x0 − y)``, ``x`` as a
    function of ``t = 1 − e^{−s/N}`` and the cost ratio ``C/C0``."""
    x = sympy.Function("x")
    x0, y = sympy.symbols("x0 y", real=True)
    sol = sympy.dsolve(sympy.Eq(x(S_).diff(S_), -(x(S_) - y) / N_), x(S_), ics={x(0): x0}).rhs
    claimed = y + sympy.exp(-S_ / N_) * (x0 - y)
    s_of_t = -N_ * sympy.log(1 - T_)
    x_t = sympy.simplify(sol.subs(S_, s_of_t))
    cost_ratio = sympy.simplify((x_t - y) ** 2 / (x0 - y) ** 2)
    return {"x_s": sol, "claimed": claimed, "x_t": x_t, "line": (1 - T_) * x0 + T_ * y,
            "cost_ratio": cost_ratio, "t_of_s": 1 - sympy.exp(-S_ / N_)}


def duhamel_derivative(m: int = 2) -> list[sympy.Expr]:
    """With ``e = x − y`` and ``de/dt = −P(t) e/(1−t)`` (``P(t)`` any matrix function):
    ``d/dt [e/(1−t)] − (I − P) e/(1−t)²``, whose vanishing gives the Duhamel formula."""
    e = sympy.Matrix([sympy.Function(f"e{i}")(T_) for i in range(m)])
    P = sympy.Matrix(m, m, lambda i, j: sympy.Function(f"p{i}{j}")(T_))
    lhs = (e / (1 - T_)).diff(T_)
    lhs = lhs.subs({e[i].diff(T_): (-P * e / (1 - T_))[i] for i in range(m)})
    rhs = (sympy.eye(m) - P) * e / (1 - T_) ** 2
    return [sympy.simplify(a - b) for a, b in zip(lhs, rhs)]


def duhamel_bound_factor() -> sympy.Expr:
    """``(1 − t) ∫_0^t dt'/(1 − t')²``, which equals ``t``: the bound ``|Δ| ≤ t sup|P⊥(x−y)|``
    and, for constant ``P⊥(x − y)``, the equality ``Δ = t P⊥(x0 − y)``."""
    tp = sympy.Symbol("tp", positive=True)
    return sympy.simplify((1 - T_) * sympy.integrate(1 / (1 - tp) ** 2, (tp, 0, T_)))


def cross_entropy(Q: int = 3) -> dict[str, object]:
    """Softmax cross-entropy of one point, ``c(x) = −Σ_q y_q log softmax(x)_q``, symbolically:
    its gradient, the row sum of the gradient (zero when ``Σ y = 1``), and the claimed limit
    ``x* = P_1⊥ log y + P_1 x(0)`` with its gradient and row sum."""
    x = generic_vector("x", Q)
    x0 = generic_vector("xi", Q)
    ys = sympy.symbols(f"y0:{Q}", positive=True)
    y = sympy.Matrix(ys)
    lse = sympy.log(sum(sympy.exp(v) for v in x))
    c = -sum(y[q] * (x[q] - lse) for q in range(Q))
    grad = sympy.Matrix([c.diff(v) for v in x])
    normalize = {ys[-1]: 1 - sum(ys[:-1])}
    row_sum = sympy.simplify(sum(grad).subs(normalize))
    ones = sympy.ones(Q, 1)
    P1 = ones * ones.T / Q
    logy = y.applyfunc(sympy.log)
    limit = (sympy.eye(Q) - P1) * logy + P1 * x0
    grad_at_limit = [sympy.simplify(sympy.expand_log(g.subs(dict(zip(x, limit))), force=True)
                                    .subs(normalize)) for g in grad]
    conserved = sympy.simplify(sum(limit) - sum(x0))
    return {"grad": grad, "row_sum_of_grad": row_sum, "limit": limit,
            "grad_at_limit": grad_at_limit, "limit_row_sum_minus_initial": conserved}
