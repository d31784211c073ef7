"""The averaging operator ``A_N`` of docs/theory.md [A] for non-polynomial links, to high precision:
``(A_N g)(z)`` at a point and ``<A_N f, g> = E[f(u) g(z)]``, where ``(z, u)`` is jointly
Gaussian with identity marginals and ``E[z uᵀ] = N``.

Method. With the singular value decomposition ``N = U S Vᵀ``, the rotated pairs
``(w_i, v_i) = ((Uᵀz)_i, (Vᵀu)_i)`` are independent standard bivariate normals with correlation
``s_i``, so ``<A_N f, g> = Σ F(v) G(w) Π_i K_i(w_i, v_i)`` on a product grid, ``F = f∘V``,
``G = g∘U``, ``K_i`` the quadrature-weighted bivariate density: a chain of ``q`` matrix products
(fixed-point integers; python-flint's ``fmpz_mat`` when installed). Axes without kinks use the
trapezoidal rule (geometric convergence for links analytic in a strip); kinks (Max, Abs, sign,
Heaviside, Piecewise) must lie along rotated coordinate axes (always in q = 1, or when ``N`` is a
scaled signed permutation) and get composite Gauss–Legendre panels split at them. ``s_i = 1``
(decided exactly from ``rank(I − NᵀN)``) makes ``K_i`` diagonal. The step and the truncation
follow the working precision, so two precisions use two different grids: their agreement
confirms discretisation and rounding together (see :func:`inner_average`)."""

from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy
from mpmath.libmp import to_fixed

from gfverify.errors import InputError
from gfverify.numerics import engines
from gfverify.numerics.hermite import mp_function
from gfverify.numerics.precision import TwoRuns, two_precisions
from gfverify.numerics.quadrature import piecewise_legendre
from gfverify.theory.averaging import validate_contraction

#: Largest number of nodes on one axis (a singular value very close to, but not, 1 needs many).
MAX_AXIS_NODES = 6000
#: Use python-flint (when installed) for the kernel exponentials and the integer matrix products;
#: set False to force the pure mpmath/numpy route (the tests compare the two).
USE_FLINT = True
#: Gauss–Legendre degree used on panels (mpmath's degree 4 = 24 nodes per panel).
_GL_DEGREE = 4
_GL_NODES = 24
_KINKED = (sympy.Max, sympy.Min, sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Piecewise)


def _kink_forms(f: sympy.Expr, zs: Sequence[sympy.Symbol]) -> list[tuple[list, sympy.Expr]]:
    """The hyperplanes ``c·z + b = 0`` across which ``f`` changes formula, as ``(c, b)``."""
    forms = []
    for atom in sympy.sympify(f).atoms(*_KINKED):
        if isinstance(atom, sympy.Piecewise):
            args = [cond.lhs - cond.rhs for _e, cond in atom.args
                    if isinstance(cond, sympy.core.relational.Relational)]
        elif isinstance(atom, (sympy.Max, sympy.Min)):
            args = [a - b for a, b in zip(atom.args[:-1], atom.args[1:])]
        else:
            args = [atom.args[0]]
        for arg in args:
            try:
                poly = sympy.Poly(arg, *zs)
            except sympy.PolynomialError:
                poly = None
            if poly is None or poly.total_degree() > 1 or not poly.free_symbols <= set(zs):
                raise InputError(f"kink of {atom} is not along a hyperplane in {list(zs)}")
            c = [poly.coeff_monomial(z) for z in zs]
            forms.append((c, poly.coeff_monomial(1)))
    return forms


def _breakpoints(forms: list[tuple[list, sympy.Expr]], R: mpmath.matrix, q: int) -> list[list]:
    """For a link evaluated at ``R x``: the kink coordinates on each axis of ``x``. A kink
    hyperplane must be normal to one axis of ``x`` (else :class:`InputError`)."""
    axes: list[list] = [[] for _ in range(q)]
    tiny = mpmath.mpf(10) ** (-(mpmath.mp.dps - 5))
    for c, b in forms:
        cm = [mpmath.mpf(sympy.N(ci, mpmath.mp.dps + 10)) for ci in c]
        a = [mpmath.fsum(R[k, j] * cm[k] for k in range(q)) for j in range(q)]
        scale = max(abs(x) for x in a)
        live = [j for j in range(q) if abs(a[j]) > tiny * scale]
        if len(live) != 1:
            raise InputError("a kink of the link is not along a coordinate axis after the "
                             "rotation by the singular vectors of N; kinked links need q = 1 or "
                             "a scaled signed permutation N")
        j = live[0]
        axes[j].append(-mpmath.mpf(sympy.N(b, mpmath.mp.dps + 10)) / a[j])
    return [sorted(set(p)) for p in axes]


def _strip(links: Sequence[sympy.Expr], zs: Sequence[sympy.Symbol]) -> mpmath.mpf:
    """Half-width of a strip around the real directions where the links are analytic, at most
    ``π/2``: ``tanh(c·z)`` and ``sech(c·z)`` have poles at ``|Im| = π/(2‖c‖)``, ``exp(c·z)`` in a
    denominator or a logarithm at ``π/‖c‖`` (logistic, softplus)."""
    width = mpmath.pi / 2

    def norm(arg) -> mpmath.mpf:
        try:
            poly = sympy.Poly(arg, *zs)
        except sympy.PolynomialError:
            raise InputError(f"cannot bound the analytic strip of a link with {arg}") from None
        if poly.total_degree() > 1:
            raise InputError(f"cannot bound the analytic strip of a link with {arg}")
        return mpmath.sqrt(mpmath.fsum(mpmath.mpf(sympy.N(poly.coeff_monomial(z) ** 2, 30)) for z in zs))

    for f in links:
        f = sympy.sympify(f)
        for atom in f.atoms(sympy.tanh, sympy.sech, sympy.coth, sympy.csch):
            c = norm(atom.args[0])
            if c:
                width = min(width, mpmath.pi / (2 * c))
        holders = [p.base for p in f.atoms(sympy.Pow) if p.exp.is_negative] + \
                  [lg.args[0] for lg in f.atoms(sympy.log)]
        for atom in f.atoms(sympy.exp):
            if any(holder.has(atom) for holder in holders):
                c = norm(atom.args[0])
                if c:
                    width = min(width, mpmath.pi / c)
    return width


def _grid(dps: int, strip: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Step ``h`` and half-width ``L`` for ``dps`` digits: trapezoidal error ``≈ e^{-2πd/h}``
    for links analytic in the strip ``|Im| < d``, Gaussian tail ``e^{-L²/2}``."""
    target = (dps + 8) * mpmath.log(10)
    return 2 * mpmath.pi * strip / target, mpmath.sqrt(2 * target) + 1


def _axis_rule(breaks: Sequence, h: mpmath.mpf, L: mpmath.mpf) -> tuple[list, list]:
    """Nodes and weights on ``[-L, L]``: trapezoidal without breakpoints, else composite
    Gauss–Legendre panels (length about ``16 h``) on the pieces between the breakpoints."""
    inside = [b for b in breaks if -L < b < L]
    if not inside:
        n = int(mpmath.ceil(L / h))
        return [h * i for i in range(-n, n + 1)], [h] * (2 * n + 1)
    edges = [-L] + inside + [L]
    cuts = [edges[0]]
    for a, b in zip(edges[:-1], edges[1:]):
        panels = max(1, int(mpmath.ceil((b - a) / (16 * h))))
        cuts.extend(a + (b - a) * p / panels for p in range(1, panels + 1))
    pairs = piecewise_legendre(cuts, 3 * 2 ** (_GL_DEGREE - 1))
    return [x for x, _ in pairs], [w for _, w in pairs]


def _check_size(*lengths: int) -> None:
    if max(lengths) > MAX_AXIS_NODES:
        raise InputError(f"a singular value of N is too close to 1 for this precision "
                         f"({max(lengths)} nodes on one axis; pass the exact boundary value)")


def _svd(N: sympy.Matrix) -> tuple[mpmath.matrix, list, mpmath.matrix]:
    """``N = U diag(s) Vᵀ`` at the working precision, with ``s_i = 1`` exactly for the
    ``nullity(I − NᵀN)`` largest singular values."""
    q = N.rows
    ones = q - (sympy.eye(q) - N.T * N).rank()
    with mpmath.workdps(mpmath.mp.dps + 20):
        Nm = mpmath.matrix([[mpmath.mpf(sympy.N(e, mpmath.mp.dps + 10)) for e in row]
                            for row in N.tolist()])
        U, s, Vt = mpmath.svd_r(Nm)
    order = sorted(range(q), key=lambda i: -s[i])
    Um = mpmath.matrix(q, q)
    Vm = mpmath.matrix(q, q)
    sv = []
    for new, old in enumerate(order):
        for k in range(q):
            Um[k, new] = U[k, old]
            Vm[k, new] = Vt[old, k]
        sv.append(mpmath.mpf(1) if new < ones else min(s[old], mpmath.mpf(1)))
    return Um, sv, Vm


def _to_fixed(x, bits: int) -> int:
    """``floor(x 2^bits)`` for an mpmath number."""
    return int(to_fixed(mpmath.mpf(x)._mpf_, bits))


def _matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Integer matrix product (python-flint's FLINT when installed, else numpy object arrays)."""
    flint = _flint()
    if flint is None:
        return A.dot(B)
    C = flint.fmpz_mat(A.tolist()) * flint.fmpz_mat(B.tolist())
    return np.array([[int(x) for x in row] for row in C.tolist()], dtype=object).reshape(
        A.shape[0], B.shape[1])


def _tabulate(fun: Callable, R: mpmath.matrix, axes: list[list], bits: int) -> np.ndarray:
    """``fun(R x)`` in fixed point on the product grid of ``axes``."""
    q = len(axes)
    shape = tuple(len(a) for a in axes)
    parts = [[[R[k, j] * x for x in axes[j]] for j in range(q)] for k in range(q)]
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        u = [sum((parts[k][j][idx[j]] for j in range(1, q)), parts[k][0][idx[0]])
             for k in range(q)]
        out[idx] = _to_fixed(_value(fun, u), bits)
    return out


def _value(fun: Callable, u: list) -> mpmath.mpf:
    value = mpmath.mpmathify(fun(*u))
    if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value):
        raise InputError(f"link is not finite and real at {[mpmath.nstr(x, 8) for x in u]}")
    return value


def _pair_kernel(s, xw: list, ww: list, xv: list, wv: list, bits: int) -> np.ndarray:
    """``K[a, b] = ω_a ω_b p_s(x_a, y_b)`` in fixed point, ``p_s`` the standard bivariate
    normal density with correlation ``s`` (diagonal ``ω_a φ(x_a)`` when ``s = 1``), as
    ``exp(κ x_a y_b + l_a + m_b)`` with ``κ = s / (1 - s²)`` and the log-weights ``l``, ``m``."""
    if s == 1:
        K = np.zeros((len(xw), len(xv)), dtype=object)
        for a, (x, w) in enumerate(zip(xw, ww)):
            K[a, a] = _to_fixed(w * mpmath.npdf(x), bits)
        return K
    c2 = 1 - s * s
    half_log_norm = -mpmath.log(2 * mpmath.pi * mpmath.sqrt(c2)) / 2
    lw = [mpmath.log(w) + half_log_norm - x * x / (2 * c2) for x, w in zip(xw, ww)]
    lv = [mpmath.log(w) + half_log_norm - y * y / (2 * c2) for y, w in zip(xv, wv)]
    return _exp_grid(s / c2, xw, xv, lw, lv, bits)


def _exp_grid(kappa, xs: list, ys: list, lx: list, ly: list, bits: int) -> np.ndarray:
    """``floor(2^bits exp(κ x_a y_b + lx_a + ly_b))`` for all ``a, b`` (entries below
    ``2^-bits`` are 0): python-flint's arb when installed (about 10x faster), else mpmath."""
    out = np.zeros((len(xs), len(ys)), dtype=object)
    floor_log = -(bits + 2) * mpmath.log(2)
    flint = _flint()
    if flint is None:
        for a, (x, l) in enumerate(zip(xs, lx)):
            for b, (y, m) in enumerate(zip(ys, ly)):
                t = kappa * x * y + l + m
                if t > floor_log:
                    out[a, b] = _to_fixed(mpmath.exp(t), bits)
        return out
    old = flint.ctx.prec
    flint.ctx.prec = mpmath.mp.prec
    try:
        def arb(v):
            return flint.arb(mpmath.nstr(v, mpmath.mp.dps + 5, strip_zeros=False))

        k = arb(kappa)
        ax = [k * arb(x) for x in xs]
        ay = [arb(y) for y in ys]
        al, am = [arb(v) for v in lx], [arb(v) for v in ly]
        cut = arb(floor_log)
        for a in range(len(xs)):
            for b in range(len(ys)):
                t = ax[a] * ay[b] + al[a] + am[b]
                if t > cut:
                    man, exp = t.exp().mid().man_exp()
                    shift = int(exp) + bits
                    out[a, b] = int(man) << shift if shift >= 0 else int(man) >> -shift
    finally:
        flint.ctx.prec = old
    return out


def _flint():
    """The python-flint module when installed and enabled, else ``None``."""
    if not USE_FLINT:
        return None
    return engines.module("flint")


def _prepare(N, q: int) -> sympy.Matrix:
    N = validate_contraction(sympy.Matrix(N))
    if N.shape != (q, q):
        raise InputError(f"N is {N.rows}x{N.cols} but the links have {q} variables")
    if not all(e.is_number for e in N):
        raise InputError("N must be numeric for the quadrature")
    return N.applyfunc(lambda e: sympy.Rational(e) if isinstance(e, sympy.Float) else e)


def inner_average_here(f: sympy.Expr, g: sympy.Expr, N, zs: Sequence[sympy.Symbol]) -> mpmath.mpf:
    """``<A_N f, g> = E[f(u) g(z)]`` at the current mpmath precision (one grid chosen from it)."""
    return inner_average_many(f, [g], N, zs)[0]


def inner_average_many(f: sympy.Expr, gs: Sequence[sympy.Expr], N,
                       zs: Sequence[sympy.Symbol]) -> list[mpmath.mpf]:
    """``[<A_N f, g> for g in gs]`` at the current mpmath precision in one pass: ``A_N f`` is
    formed once on the grid of the ``z`` side and paired with every ``g``."""
    zs = list(zs)
    q = len(zs)
    N = _prepare(N, q)
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + 10):
        U, s, V = _svd(N)
        h, L = _grid(dps, _strip([f, *gs], zs))
        for si in s:
            if si < 1:  # resolve the ridge of width sqrt(1 - s) of the pair density
                h = min(h, 2 * mpmath.pi * mpmath.sqrt((1 - si) / ((dps + 8) * mpmath.log(10))))
        bf = _breakpoints(_kink_forms(f, zs), V, q)
        bgs = [_breakpoints(_kink_forms(g, zs), U, q) for g in gs]
        bg = [sorted(set().union(*(b[i] for b in bgs))) for i in range(q)]
        axes_v, axes_w, kernels = [], [], []
        bits = int((dps + 20) * 3.33) + 32
        for i in range(q):
            if s[i] == 1:
                shared = _axis_rule(sorted(set(bf[i]) | set(bg[i])), h, L)
                rv = rw = shared
            else:
                rv, rw = _axis_rule(bf[i], h, L), _axis_rule(bg[i], h, L)
            _check_size(len(rv[0]), len(rw[0]))
            axes_v.append(rv[0])
            axes_w.append(rw[0])
            kernels.append(_pair_kernel(s[i], rw[0], rw[1], rv[0], rv[1], bits))
        T = _tabulate(mp_function(f, tuple(zs)), V, axes_v, bits)
        for i, K in enumerate(kernels):
            moved = np.moveaxis(T, i, 0)
            flat = moved.reshape(moved.shape[0], -1)
            prod = _matmul(K, flat)
            prod = np.array([[x >> bits for x in row] for row in prod], dtype=object)
            T = np.moveaxis(prod.reshape((K.shape[0],) + moved.shape[1:]), 0, i)
        flat_t = [int(x) for x in T.ravel()]
        out = []
        for g in gs:
            G = _tabulate(mp_function(g, tuple(zs)), U, axes_w, bits)
            total = sum(int(a) * b for a, b in zip(G.ravel(), flat_t))
            out.append(mpmath.ldexp(mpmath.mpf(total), -2 * bits))
    return [+v for v in out]


def inner_average(f: sympy.Expr, g: sympy.Expr, N, zs: Sequence[sympy.Symbol],
                  dps: int = 30) -> TwoRuns:
    """``<A_N f, g>`` at ``dps`` and at a higher precision (two different grids), with the
    digits on which the two agree (``.high`` is the better value)."""
    return two_precisions(lambda _p: inner_average_here(f, g, N, zs), dps)


def average_here(g: sympy.Expr, N, zs: Sequence[sympy.Symbol], point: Sequence) -> mpmath.mpf:
    """``(A_N g)(z)`` at ``z = point`` at the current mpmath precision (see :func:`average_at`)."""
    return average_at(g, N, zs, [point])[0]


def average_at(g: sympy.Expr, N, zs: Sequence[sympy.Symbol], points: Sequence[Sequence]) -> list:
    """``[(A_N g)(z) for z in points]`` at the current mpmath precision: ``E[g(V v)]`` with
    independent ``v_i ~ N(s_i w_i, 1 − s_i²)``, ``w = Uᵀz``, by a product rule in
    ``ξ_i = (v_i − s_i w_i) / sqrt(1 − s_i²)`` split at the kinks (one SVD for all points)."""
    zs = list(zs)
    q = len(zs)
    N = _prepare(N, q)
    if any(len(point) != q for point in points):
        raise InputError(f"every point needs {q} coordinates")
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + 10):
        U, s, V = _svd(N)
        h, L = _grid(dps, _strip([g], zs))
        fun = mp_function(g, tuple(zs))
        forms = _kink_forms(g, zs)
        bg = _breakpoints(forms, V, q)
        inv_root = 1 / mpmath.sqrt(2 * mpmath.pi)
        out = []
        for point in points:
            z = [p if isinstance(p, mpmath.mpf) else mpmath.mpf(sympy.N(sympy.sympify(p), dps + 10))
                 for p in point]
            w = [mpmath.fsum(U[k, i] * z[k] for k in range(q)) for i in range(q)]
            axes, weights = [], []
            for i in range(q):
                mean, sd = s[i] * w[i], mpmath.sqrt(1 - s[i] ** 2)
                if sd == 0:
                    axes.append([mean])
                    weights.append([mpmath.mpf(1)])
                    continue
                xi, om = _axis_rule([(b - mean) / sd for b in bg[i]], h, L)
                axes.append([mean + sd * x for x in xi])
                weights.append([o * mpmath.exp(-x * x / 2) * inv_root for x, o in zip(xi, om)])
            if q == 1:
                out.append(mpmath.fsum(wt * _value(fun, [V[0, 0] * x])
                                       for x, wt in zip(axes[0], weights[0])))
                continue
            total = mpmath.mpf(0)
            for idx in np.ndindex(*(len(a) for a in axes)):
                v = [axes[j][idx[j]] for j in range(q)]
                u = [mpmath.fsum(V[k, j] * v[j] for j in range(q)) for k in range(q)]
                total += mpmath.fprod(weights[j][idx[j]] for j in range(q)) * _value(fun, u)
            out.append(total)
    return [+v for v in out]


def average_function_here(values: Callable[[list], list], s, point,
                          strip: mpmath.mpf | None = None) -> mpmath.mpf:
    """``(A_s F)(z) = E_ξ[F(s z + sqrt(1 − s²) ξ)]`` in q = 1 for a function ``F`` given only by
    its values (``values(xs) -> [F(x) for x in xs]``, one call for all nodes) and analytic in
    the strip ``|Im| < strip`` (default ``π/2``): the trapezoidal rule in ``ξ`` with the step and
    truncation of the current precision. Used to apply an operator to a numerically computed
    link (``F = A_b g``)."""
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + 10):
        sv = mpmath.mpf(sympy.N(sympy.sympify(s), dps + 10))
        if not -1 <= sv <= 1:
            raise InputError(f"need |s| ≤ 1, got {mpmath.nstr(sv, 8)}")
        z = mpmath.mpf(sympy.N(sympy.sympify(point), dps + 10))
        h, L = _grid(dps, mpmath.pi / 2 if strip is None else mpmath.mpf(strip))
        sd = mpmath.sqrt(1 - sv**2)
        xi, om = _axis_rule([], h, L) if sd else ([mpmath.mpf(0)], [mpmath.sqrt(2 * mpmath.pi)])
        nodes = [sv * z + sd * x for x in xi]
        with mpmath.workdps(dps):  # the values carry their own guard digits
            got = values(nodes)
        total = mpmath.fsum(o * mpmath.npdf(x) * v for x, o, v in zip(xi, om, got))
    return +total


def smoothing_series(g: sympy.Expr, z: sympy.Symbol, x0, variance, tol: mpmath.mpf) -> mpmath.mpf:
    """``E[g(x0 + σξ)]``, ``σ² = variance`` small, by the heat expansion
    ``Σ_k (σ²/2)^k g^{(2k)}(x0) / k!`` (exact derivatives by sympy), summed until the derivative
    vanishes identically or a non-zero term is below ``tol`` (a derivative that happens to vanish at
    ``x0`` ends nothing); asymptotic in ``σ``, so :class:`ArithmeticError` when the non-zero terms
    stop decreasing first. With ``x0 = s z`` and ``σ² = 1 − s²`` it is ``(A_s g)(z)`` near ``s = 1``."""
    dps = mpmath.mp.dps
    with mpmath.workdps(dps + 10):
        x = mpmath.mpf(sympy.N(sympy.sympify(x0), dps + 10))
        half = mpmath.mpf(sympy.N(sympy.sympify(variance), dps + 10)) / 2
        total, last, k, deriv = mpmath.mpf(0), mpmath.inf, 0, sympy.sympify(g)
        while deriv != 0:
            term = half**k / mpmath.factorial(k) * mp_function(deriv, z)(x)
            total += term
            if term != 0:
                if abs(term) < tol:
                    break
                if k > 2 and abs(term) > last:
                    raise ArithmeticError("the heat expansion diverges before reaching the tolerance")
                last = abs(term)
            k, deriv = k + 1, sympy.expand(sympy.diff(deriv, z, 2))
        return +total


def mehler_sum(alphas: Sequence, rho, z) -> mpmath.mpf:
    """``Σ_k α_k ρ^k h_k(z)`` (Mehler: ``(A_ρ g)(z)`` for ``g = Σ α_k h_k``), the normalized
    Hermite polynomials by their three-term recurrence ``√(k+1) h_{k+1} = z h_k − √k h_{k−1}``."""
    with mpmath.workdps(mpmath.mp.dps + 10):
        r = mpmath.mpf(sympy.N(sympy.sympify(rho), mpmath.mp.dps + 10))
        x = mpmath.mpf(sympy.N(sympy.sympify(z), mpmath.mp.dps + 10))
        prev, cur, total = mpmath.mpf(0), mpmath.mpf(1), mpmath.mpf(0)
        for k, a in enumerate(alphas):
            total += a * r**k * cur
            prev, cur = cur, (x * cur - mpmath.sqrt(k) * prev) / mpmath.sqrt(k + 1)
    return +total
