"""The reduced ODE ``Ṁ = (I − G) Φ(G) M``, ``G = M Mᵀ`` (docs/theory.md A10) for links that are
not polynomials: numeric ``ψ(G) = <A_G f*, f*>`` and ``Φ(G) = ∇_G ψ`` at the working precision;
trajectories by Gragg–Bulirsch–Stoer on a callable Φ (any of the links below; its cost grows
steeply with the precision), or by the ODE layer for polynomial links and for ReLU sums written as
a rational system (:func:`relu_sum_system`); the random starts of A11 and the flows of A12.

Price's identity (Gaussian integration by parts in the cross-covariance) gives
``Φ_ij(G) = ½(E[∂_i f(z) ∂_j f(u)] + E[∂_j f(z) ∂_i f(u)])`` for the Gaussian pair with
``E[z uᵀ] = G``, i.e. ``Φ = sym(<A_G ∂_j f, ∂_i f>)_ij``; the q-dimensional product grid of
:mod:`gfverify.numerics.averaging` evaluates it for any link it takes (q ≤ 2 in practice: the
grid has ~250^q nodes at 30 digits). Two families reduce to one-dimensional kernels, fast enough
for an ODE right-hand side and valid for every q:

- separable ``f = Σ_i g_i(z_i)``: ``ψ = Σ_ij κ_{g_i g_j}(G_ij)`` and ``Φ_ij = κ_{g_i' g_j'}(G_ij)``,
  ``κ_{ab}(ρ) = E[a(x) b(y)]`` for a standard pair of correlation ``ρ``; for ReLU this is the
  arc-cosine kernel and its derivative ``κ'(ρ) = (π − arccos ρ)/(2π)`` (docs/theory.md A8);
- one linear factor ``f = a(z1) z2`` (q = 2): by the diagram formula for Hermite products,
  ``<A_G (h_k ⊗ h_1), h_k ⊗ h_1> = g22 g11^k + k g12² g11^{k−1}``, so
  ``ψ = g22 κ(g11) + g12² κ'(g11)`` with ``κ = κ_{aa} = Σ α_k² ρ^k`` (Mehler series of the
  numeric Hermite coefficients of ``a``)."""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy

from gfverify.errors import InputError
from gfverify.numerics import ode
from gfverify.numerics.averaging import inner_average_here, inner_average_many
from gfverify.numerics.bulirsch_stoer import BulirschStoer, default_kmax
from gfverify.numerics.hermite import hermite_coefficients
from gfverify.numerics.precision import exact_fraction
from gfverify.numerics.quadrature import piecewise_legendre
from gfverify.numerics.random_matrices import haar_stiefel
from gfverify.theory import reduced_ode as ro

Matrix = mpmath.matrix
#: Largest q of the numeric reduced ODE (the one-dimensional kernel routes hold for any q).
MAX_Q = 4


def _sym_matrix(G: Matrix) -> sympy.Matrix:
    """An mpmath matrix as an exact sympy matrix (binary floats read exactly)."""
    return sympy.Matrix(G.rows, G.cols, lambda i, j: sympy.Rational(*_ratio(G[int(i), int(j)])))


def _ratio(x) -> tuple[int, int]:
    """A binary float as the exact ratio (numerator, denominator) it stores, sign included."""
    f = exact_fraction(x)
    return f.numerator, f.denominator


def _check_q(q: int) -> int:
    if not 1 <= q <= MAX_Q:
        raise InputError(f"the numeric reduced ODE takes q = 1..{MAX_Q} variables, got q = {q}")
    return q


# ----------------------------------------------------------------------------- any link (grid)

def psi_quadrature(link: sympy.Expr, zs: Sequence[sympy.Symbol], G: Matrix) -> mpmath.mpf:
    """``ψ(G) = <A_G f, f> = E[f(u) f(z)]``, ``E[z uᵀ] = G``, on the averaging layer's grid at the
    current precision."""
    _check_q(len(zs))
    return inner_average_here(link, link, _sym_matrix(G), list(zs))


def phi_quadrature(link: sympy.Expr, zs: Sequence[sympy.Symbol], G: Matrix) -> Matrix:
    """``Φ(G) = sym(<A_G ∂_j f, ∂_i f>)_ij`` (Price's identity) on the averaging layer's
    q-dimensional grid at the current precision."""
    q = _check_q(len(zs))
    grads = [sympy.diff(link, z) for z in zs]
    N = _sym_matrix(G)
    D = mpmath.matrix(q, q)
    for j in range(q):
        column = inner_average_many(grads[j], grads, N, list(zs))
        for i in range(q):
            D[i, j] = column[i]
    return (D + D.T) / 2


# ----------------------------------------------------------------------------- kernel families

Kernel = Callable[[object, int], mpmath.mpf]
"""``kernel(ρ, n) = κ^{(n)}(ρ)``, the n-th derivative of a one-dimensional Gaussian kernel."""


def relu_kernel(rho, n: int = 0) -> mpmath.mpf:
    """The arc-cosine kernel ``κ(ρ) = E[relu(x) relu(y)] = (√(1 − ρ²) + (π − arccos ρ) ρ)/(2π)``
    (n = 0) and its derivative ``κ'(ρ) = E[H(x) H(y)] = (π − arccos ρ)/(2π)`` (n = 1)."""
    rho = mpmath.mpf(rho)
    if not -1 <= rho <= 1:
        raise ArithmeticError(f"correlation {mpmath.nstr(rho, 8)} outside [-1, 1]")
    if n == 0:
        return (mpmath.sqrt(1 - rho * rho) + (mpmath.pi - mpmath.acos(rho)) * rho) / (2 * mpmath.pi)
    if n == 1:
        return (mpmath.pi - mpmath.acos(rho)) / (2 * mpmath.pi)
    raise InputError("the arc-cosine kernel is implemented for n = 0, 1")


def mehler_kernel(alphas: Sequence) -> Kernel:
    """``κ^{(n)}(ρ) = Σ_{k≥n} k!/(k−n)! α_k² ρ^{k−n}`` for ``κ(ρ) = Σ α_k² ρ^k`` (Mehler) from
    Hermite coefficients ``α_0..α_K`` (truncated: see :func:`hermite_kernel`)."""
    squares = [mpmath.mpf(a) ** 2 for a in alphas]
    series: dict[int, list] = {}

    def kernel(rho, n: int = 0) -> mpmath.mpf:
        if n not in series:  # the coefficients of κ^{(n)}, highest power first
            series[n] = [squares[k] * (factorial(k) // factorial(k - n))
                         for k in range(len(squares) - 1, n - 1, -1)]
        return mpmath.polyval(series[n], mpmath.mpf(rho))

    return kernel


def hermite_kernel(a: sympy.Expr, z: sympy.Symbol, kmax: int, nmax: int = 2) -> Kernel:
    """The Mehler kernel of ``a`` from ``kmax + 1`` numeric Hermite coefficients at the current
    precision; :class:`ArithmeticError` unless the tail bound at ρ = 1 of the ``nmax``-th
    derivative, estimated by its last ten terms, is below ``10^-(dps+2)``."""
    dps = mpmath.mp.dps
    coeffs = hermite_coefficients(a, kmax, dps + 5, z).alphas
    tail = mpmath.fsum(k**nmax * mpmath.mpf(coeffs[k]) ** 2 for k in range(kmax - 9, kmax + 1))
    if tail > mpmath.mpf(10) ** -(dps + 2):
        raise ArithmeticError(f"Hermite series of {a} truncated at k = {kmax}: tail "
                              f"{mpmath.nstr(tail, 3)} at rho = 1")
    return mehler_kernel(coeffs)


def separable_parts(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> list[sympy.Expr] | None:
    """``[g_1, …, g_q]`` with ``f = Σ_i g_i(z_i)`` up to a constant, or ``None`` when a term of
    ``f`` depends on two variables."""
    parts = [sympy.Integer(0)] * len(zs)
    for term in sympy.Add.make_args(sympy.expand(sympy.sympify(link))):
        used = [i for i, z in enumerate(zs) if term.has(z)]
        if len(used) > 1:
            return None
        if used:
            parts[used[0]] += term
    return parts


@dataclass(frozen=True)
class ReducedLink:
    """A link's ``ψ(G)`` and ``Φ(G)`` as functions of an mpmath matrix at the current precision;
    ``psi_max = ψ(I) = ‖f*‖²`` so that the loss is ``½(ψ(I) − ψ(G))``."""

    q: int
    psi: Callable[[Matrix], mpmath.mpf]
    phi: Callable[[Matrix], Matrix]
    name: str

    def loss(self, G: Matrix) -> mpmath.mpf:
        """``L = ½‖f*‖² − ½ψ(G) = ½(ψ(I) − ψ(G))``."""
        return (self.psi(mpmath.eye(self.q)) - self.psi(G)) / 2


def quadrature_kernel(a: sympy.Expr, b: sympy.Expr, z: sympy.Symbol) -> Kernel:
    """``κ_{ab}(ρ) = <A_ρ a, b>`` (n = 0) and ``κ_{ab}'(ρ) = <A_ρ a', b'>`` (n = 1, Price) on the
    averaging layer's one-dimensional grid at the current precision (values kept per ρ, n and
    precision: a matrix with repeated entries costs one quadrature per distinct entry)."""
    pair = {0: (a, b), 1: (sympy.diff(a, z), sympy.diff(b, z))}
    known: dict = {}

    def kernel(rho, n: int = 0) -> mpmath.mpf:
        if n not in pair:
            raise InputError("quadrature kernels are implemented for n = 0, 1")
        key = (mpmath.mp.dps, _ratio(rho), n)
        if key not in known:
            N = sympy.Matrix([[sympy.Rational(*key[1])]])
            known[key] = inner_average_here(pair[n][0], pair[n][1], N, [z])
        return known[key]

    return kernel


def separable_quadrature_link(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> ReducedLink:
    """A separable link ``f = Σ g_i(z_i)`` with every kernel ``κ_{g_i g_j}`` by one-dimensional
    quadrature (:func:`quadrature_kernel`); :class:`InputError` if ``f`` is not separable."""
    parts = separable_parts(link, zs)
    if parts is None:
        raise InputError(f"{link} is not a sum of functions of one variable each")
    z = sympy.Symbol("x", real=True)
    ones = [g.subs(zi, z) for g, zi in zip(parts, zs)]
    kernels: dict = {}  # one kernel (and one cache of values) per distinct pair of parts
    for a in ones:
        for b in ones:
            kernels.setdefault((a, b), quadrature_kernel(a, b, z))
    return separable_link([[kernels[(a, b)] for b in ones] for a in ones], str(link))


def separable_link(kernels: Sequence[Sequence[Kernel]], name: str) -> ReducedLink:
    """``f = Σ g_i(z_i)`` from the kernels ``kernels[i][j](ρ, n) = κ^{(n)}_{g_i g_j}(ρ)``:
    ``ψ = Σ_ij κ_ij(G_ij)``, ``Φ_ij = κ_ij'(G_ij)``."""
    q = _check_q(len(kernels))

    def psi(G: Matrix) -> mpmath.mpf:
        return mpmath.fsum(kernels[i][j](G[i, j], 0) for i in range(q) for j in range(q))

    def phi(G: Matrix) -> Matrix:
        out = mpmath.matrix(q, q)
        for i in range(q):
            for j in range(i, q):
                out[i, j] = out[j, i] = kernels[i][j](G[i, j], 1)
        return out

    return ReducedLink(q=q, psi=psi, phi=phi, name=name)


def relu_sum_link(q: int) -> ReducedLink:
    """``f = Σ_i relu(z_i)`` by the arc-cosine kernel (closed form, any q)."""
    return separable_link([[relu_kernel] * q for _ in range(q)], f"relu(z1) + ... + relu(z{q})")


def linear_factor_link(kernel: Kernel, name: str) -> ReducedLink:
    """``f = a(z1) z2`` (q = 2) from ``κ = κ_aa``: ``ψ = g22 κ(g11) + g12² κ'(g11)``,
    ``Φ = [[g22 κ' + g12² κ'', g12 κ'], [g12 κ', κ]]`` at ``g11``."""

    def psi(G: Matrix) -> mpmath.mpf:
        return G[1, 1] * kernel(G[0, 0], 0) + G[0, 1] ** 2 * kernel(G[0, 0], 1)

    def phi(G: Matrix) -> Matrix:
        k0, k1, k2 = (kernel(G[0, 0], n) for n in range(3))
        off = G[0, 1] * k1
        return mpmath.matrix([[G[1, 1] * k1 + G[0, 1] ** 2 * k2, off], [off, k0]])

    return ReducedLink(q=2, psi=psi, phi=phi, name=name)


def polynomial_link(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> ReducedLink:
    """A polynomial link: ``ψ`` by the Wick engine of :mod:`gfverify.theory.reduced_ode`, ``Φ``
    its symbolic gradient, both evaluated in mpmath."""
    q = len(zs)
    Gs = ro.symmetric_matrix(q)
    psi_expr = ro.psi_of(link, list(zs), Gs)
    phi_expr = ro.symmetric_gradient(psi_expr, Gs)
    args = [Gs[i, j] for i in range(q) for j in range(i, q)]
    psi_f = sympy.lambdify(args, psi_expr, "mpmath")
    phi_f = sympy.lambdify(args, phi_expr.tolist(), "mpmath")

    def entries(G: Matrix) -> list:
        return [G[i, j] for i in range(q) for j in range(i, q)]

    return ReducedLink(q=q, psi=lambda G: mpmath.mpf(psi_f(*entries(G))),
                       phi=lambda G: mpmath.matrix(phi_f(*entries(G))), name=str(link))


# ----------------------------------------------------------------------------- the flow

def reduced_rhs(phi: Callable[[Matrix], Matrix], M: Matrix) -> Matrix:
    """``Ṁ = (I − G) Φ(G) M`` with ``G = M Mᵀ``."""
    G = M * M.T
    return (mpmath.eye(M.rows) - G) * phi(G) * M


def trajectory(link: ReducedLink, M0: Matrix, times: Sequence) -> list[Matrix]:
    """``M(t)`` at the increasing ``times`` (> 0) from ``M(0) = M0`` at the current precision
    (Bulirsch–Stoer with tolerance ``10^-dps`` per step)."""
    q = link.q
    if (M0.rows, M0.cols) != (q, q):
        raise InputError(f"M(0) must be {q}x{q}")

    def f(_t, y: list) -> list:
        out = reduced_rhs(link.phi, mpmath.matrix([y[i * q:(i + 1) * q] for i in range(q)]))
        return [out[i, j] for i in range(q) for j in range(q)]

    dps = mpmath.mp.dps
    solver = BulirschStoer(f, mpmath.mpf(10) ** -dps, default_kmax(dps))
    states = solver.integrate(0, [M0[i, j] for i in range(q) for j in range(q)], times)
    return [mpmath.matrix([y[i * q:(i + 1) * q] for i in range(q)]) for y in states]


def distance_to_identity(M: Matrix) -> mpmath.mpf:
    """``‖I − G‖_op``, ``G = M Mᵀ`` (the largest eigenvalue of ``I − G`` when ``0 ⪯ G ⪯ I``)."""
    G = M * M.T
    return max(abs(v) for v in mpmath.eigsy(mpmath.eye(M.rows) - G)[0])


def smallest_eigenvalue(S: Matrix) -> mpmath.mpf:
    """The smallest eigenvalue of a symmetric matrix."""
    return min(mpmath.eigsy((S + S.T) / 2)[0])


@dataclass(frozen=True)
class FlowRecord:
    """Samples of one reduced flow: ``M(t_k)``, the loss, the smallest eigenvalue of
    ``Φ(G(t_k))`` and ``‖I − G(t_k)‖_op``, with ``t_0 = 0``; ``digits`` confirmed by two
    precisions (the ODE layer's, or :func:`trajectory` run twice by the caller)."""

    times: list
    states: list
    losses: list
    phi_min: list
    distances: list
    digits: float

    @property
    def largest_loss_increase(self) -> mpmath.mpf:
        """``max_k L(t_{k+1}) − L(t_k)`` (negative when the loss decreases strictly)."""
        return max(b - a for a, b in zip(self.losses[:-1], self.losses[1:]))


def record(link: ReducedLink, times: Sequence, states: Sequence[Matrix], digits: float) -> FlowRecord:
    """The diagnostics of :class:`FlowRecord` at the samples ``(times, states)``."""
    Gs = [M * M.T for M in states]
    return FlowRecord(times=list(times), states=list(states), losses=[link.loss(G) for G in Gs],
                      phi_min=[smallest_eigenvalue(link.phi(G)) for G in Gs],
                      distances=[distance_to_identity(M) for M in states], digits=digits)


def relu_sum_system(q: int) -> tuple[ode.OdeSystem, sympy.Matrix]:
    """The flow of ``f = Σ_i relu(z_i)`` as a rational system for the ODE layer: the state is
    ``M`` and, for ``i ≤ j``, ``b_ij = Φ_ij = ¼ + arcsin(G_ij)/(2π)`` and
    ``c_ij = √(1 − G_ij²)``, with ``ḃ_ij = Ġ_ij / (2π c_ij)`` and ``ċ_ij = −G_ij Ġ_ij / c_ij``
    (``Ġ = Ṁ Mᵀ + M Ṁᵀ``). Carrying ``c`` avoids forming ``1 − G_ii`` near ``G_ii = 1``."""
    _check_q(q)
    Msym = ro.general_matrix(q)
    pairs = [(i, j) for i in range(q) for j in range(i, q)]
    b = {p: sympy.Symbol(f"b{p[0] + 1}{p[1] + 1}", real=True) for p in pairs}
    c = {p: sympy.Symbol(f"c{p[0] + 1}{p[1] + 1}", real=True) for p in pairs}
    phi = sympy.Matrix(q, q, lambda i, j: b[(min(i, j), max(i, j))])
    G = Msym * Msym.T
    Mdot = (sympy.eye(q) - G) * phi * Msym
    Gdot = Mdot * Msym.T + Msym * Mdot.T
    rhs = list(Mdot) + [Gdot[p] / (2 * sympy.pi * c[p]) for p in pairs] + \
        [-G[p] * Gdot[p] / c[p] for p in pairs]
    state = list(Msym) + [b[p] for p in pairs] + [c[p] for p in pairs]
    return ode.OdeSystem.from_sympy(rhs, state), Msym


def relu_sum_start(M0: sympy.Matrix) -> list[sympy.Expr]:
    """Exact start of :func:`relu_sum_system` from an exact ``M(0)``."""
    q = M0.rows
    G = M0 * M0.T
    pairs = [(i, j) for i in range(q) for j in range(i, q)]
    return list(M0) + [sympy.Rational(1, 4) + sympy.asin(G[p]) / (2 * sympy.pi) for p in pairs] + \
        [sympy.sqrt(1 - G[p] ** 2) for p in pairs]


def flow_states(system: ode.OdeSystem, start: Sequence, q: int, times: Sequence,
                digits: int) -> tuple[list[Matrix], float, int]:
    """``M(t)`` at ``0`` and the increasing ``times`` for a system whose first ``q²`` state
    variables are ``M`` row by row, confirmed to ``digits`` by the ODE layer's two precisions;
    returns the states (at the higher precision), the agreed digits and that precision."""
    traj = ode.solve(system, start, times[-1], digits, t_eval=[0, *times])
    states = [mpmath.matrix([list(y[i * q:(i + 1) * q]) for i in range(q)]) for y in traj.ys]
    return states, traj.digits, traj.dps


def polynomial_system(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> tuple[ode.OdeSystem, sympy.Matrix]:
    """``Ṁ = (I − G) Φ(G) M`` of a polynomial link (symbolic Φ) as a system for the ODE layer."""
    rhs, Msym = ro.reduced_rhs(link, list(zs), expand=False)
    return ode.OdeSystem.from_sympy(list(rhs), list(Msym)), Msym


def relu_sum_phi64(G: np.ndarray) -> np.ndarray:
    """Float64 ``Φ`` of ``Σ relu(z_i)``: ``¼ + arcsin(G_ij)/(2π)`` (for :func:`horizon`)."""
    return 0.25 + np.arcsin(np.clip(G, -1.0, 1.0)) / (2 * np.pi)


def polynomial_phi64(link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> Callable[[np.ndarray], np.ndarray]:
    """Float64 ``Φ`` of a polynomial link (the symbolic gradient, lambdified for numpy)."""
    q = len(zs)
    Gs = ro.symmetric_matrix(q)
    phi = ro.symmetric_gradient(ro.psi_of(link, list(zs), Gs), Gs)
    args = [Gs[i, j] for i in range(q) for j in range(i, q)]
    fun = sympy.lambdify(args, phi, "numpy")
    return lambda G: np.array(fun(*[G[i, j] for i in range(q) for j in range(i, q)]), dtype=float)


def horizon(phi64: Callable[[np.ndarray], np.ndarray], M0: np.ndarray, bound: float, t_max: float,
            dt: float = 0.05) -> float:
    """A float64 look-ahead (classical RK4, step ``dt``): the first grid time at which
    ``‖I − G‖_op ≤ bound``, or ``t_max``. Only chooses where the high-precision run stops."""
    q = M0.shape[0]

    def f(M: np.ndarray) -> np.ndarray:
        G = M @ M.T
        return (np.eye(q) - G) @ phi64(G) @ M

    M, t = np.array(M0, dtype=float), 0.0
    while t < t_max:
        k1 = f(M)
        k2 = f(M + dt / 2 * k1)
        k3 = f(M + dt / 2 * k2)
        k4 = f(M + dt * k3)
        M, t = M + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), t + dt
        if np.linalg.norm(np.eye(q) - M @ M.T, 2) <= bound:
            return t
    return t_max


# ----------------------------------------------------------------------------- starts and runs

def _exact(A: np.ndarray) -> sympy.Matrix:
    return sympy.Matrix(A.shape[0], A.shape[1], [sympy.Rational(float(x)) for x in A.flat])


def ginibre_start(q: int, d: int, rng: np.random.Generator) -> sympy.Matrix:
    """``M(0) = Z/√d`` with ``Z`` a q×q Ginibre matrix (the A11 limit law), exact binary
    rationals; :class:`InputError` when the draw is not a strict contraction."""
    M0 = rng.standard_normal((q, q)) / np.sqrt(d)
    if np.linalg.norm(M0, 2) >= 1:
        raise InputError(f"the Ginibre draw Z/sqrt({d}) has operator norm >= 1: not a correlation")
    return _exact(M0)


def haar_start(q: int, d: int, rng: np.random.Generator) -> sympy.Matrix:
    """``M(0) = W*ᵀW(0)`` for ``W(0)`` Haar on St(d, q) and ``W* = [I_q; 0]`` (A11)."""
    return _exact(haar_stiefel(d, q, rng)[:q, :])


def rank_one_start(q: int, d: int, rng: np.random.Generator) -> sympy.Matrix:
    """A rank-one ``M(0) = a bᵀ / d`` (Gaussian ``a, b``): a start in the invariant set of the
    rank-deficient correlations (``M(t) v = 0`` for ``M(0) v = 0``)."""
    a, b = _exact(rng.standard_normal((q, 1))), _exact(rng.standard_normal((q, 1)))
    return a * b.T / d


def run_flow(link: sympy.Expr | str, zs: Sequence[sympy.Symbol], M0: sympy.Matrix, bound: float,
             t_max: float, digits: int, samples: int = 6) -> FlowRecord:
    """The reduced flow of ``link`` (a polynomial in ``zs``, or ``"relu"`` for ``Σ relu(z_i)``)
    from ``M0``, sampled at ``T k / samples``, ``k = 0..samples``, where ``T`` is where a
    float64 look-ahead first has ``‖I − G‖ ≤ bound / 100`` (else ``t_max``); every sample
    confirmed to ``digits`` by the ODE layer."""
    q = M0.rows
    if link == "relu":
        system, _ = relu_sum_system(q)
        start, phi64, reduced = relu_sum_start(M0), relu_sum_phi64, relu_sum_link(q)
    else:
        system, _ = polynomial_system(link, zs)
        start, phi64, reduced = list(M0), polynomial_phi64(link, zs), polynomial_link(link, zs)
    T = horizon(phi64, np.array(M0.tolist(), dtype=float), bound / 100, t_max)
    T = sympy.Rational(round(T * 100), 100)
    times = [T * k / samples for k in range(1, samples + 1)]
    states, agreed, dps = flow_states(system, start, q, times, digits)
    with mpmath.workdps(dps):
        return record(reduced, [0, *times], states, agreed)


def dissipation(link: ReducedLink, M: Matrix) -> mpmath.mpf:
    """``−dL/dt = tr(Mᵀ Φ (I − G) Φ M)`` along the reduced flow (docs/theory.md A10)."""
    G = M * M.T
    P = link.phi(G)
    return sum((M.T * P * (mpmath.eye(M.rows) - G) * P * M)[i, i] for i in range(M.rows))


def energy_balance(link: ReducedLink, M0: Matrix, t_end, panels: int = 2,
                   nodes: int = 24) -> tuple[mpmath.mpf, mpmath.mpf]:
    """``(L(0) − L(T), ∫_0^T tr(MᵀΦ(I − G)ΦM) dt)`` at the current precision: the loss from ψ
    at the two ends, the dissipation from Φ at Gauss–Legendre nodes in time (``panels`` pieces of
    ``nodes`` points; the trajectory by :func:`trajectory` through all of them)."""
    T = mpmath.mpf(t_end)
    rule = sorted(piecewise_legendre([T * k / panels for k in range(panels + 1)], nodes))
    states = trajectory(link, M0, [t for t, _ in rule] + [T])
    integral = mpmath.fsum(w * dissipation(link, M) for (_, w), M in zip(rule, states))
    drop = link.loss(M0 * M0.T) - link.loss(states[-1] * states[-1].T)
    return drop, integral
