"""Saddle-to-saddle trajectories of the reduced ODE ``Ṁ = (I − G)Φ(G)M`` (docs/theory.md A10, A15) from
random starts, in float64, and the detection of their plateaus.

Integrator. A plateau of length ``d^{s̃−1}`` follows a stage in which the learned directions relax
at rate ~2: an explicit method would need ~``d^{s̃−1}`` steps. The flow is integrated instead by
the L-stable two-stage Rosenbrock method ROS2 (Verwer, Spee, Blom, Hundsdorfer 1999,
``γ = 1 + 1/√2``, order 2, embedded order 1; a W-method: the Jacobian terms cancel to second
order, so a forward-difference Jacobian keeps the order), one run at a time in a loop compiled by
numba (``cache=True``; ψ and Φ enter as monomial tables, so one compiled loop serves every link).
Error model: each accepted step has an estimated local
error ≤ ``atol + rtol·|y|`` (RMS over the entries), the global error is not bounded by this; the
claims run every batch at two tolerances (``rtol`` and ``rtol/10``) and report how many digits of
each stage length agree.

Plateau detector. Along a run the loss ``L(t) = ½(ψ(I) − ψ(MMᵀ))`` and its rate ``L̇ = ∇L · Ṁ`` are
recorded at every accepted step. A *transition* is a maximal stretch of consecutive steps with
``|L̇| ≥ θ``; its time is that of the largest ``|L̇|`` inside. A *plateau* is the stretch before,
between or after transitions; its loss is ``L`` where ``|L̇|`` is smallest in it (the point closest
to the saddle). Stage ``i`` lasts from transition ``i − 1`` (``t = 0`` for the first) to
transition ``i``. ``θ`` separates the rate near a saddle (``O(1/d)`` at the start, smaller later)
from the peak rate of a transition (``O(1)``, e.g. ¼ for a logistic stage ``ġ = 2g(1 − g)``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import sympy

from gfverify.errors import InputError
from gfverify.theory import reduced_ode as ro

#: the default rate threshold θ of the plateau detector
THETA = 0.05


@numba.njit(cache=True)
def _evaluate(y, q, f, P, G, g, with_rate, E, C, OUT, psi_identity):  # pragma: no cover - compiled
    # G = MMᵀ, Φ(G) into P, f = (I − G)ΦM; returns (loss, rate)
    k = 0
    for i in range(q):
        for j in range(q):
            acc = 0.0
            for m in range(q):
                acc += y[i * q + m] * y[j * q + m]
            G[i, j] = acc
    for i in range(q):
        for j in range(i, q):
            g[k] = G[i, j]
            k += 1
    P[:, :] = 0.0
    psi = 0.0
    for t in range(C.shape[0]):  # the monomials of Φ's entries (slots < q²) and of ψ (slot q²)
        v = C[t]
        for k in range(E.shape[1]):
            for _ in range(E[t, k]):
                v *= g[k]
        if OUT[t] == q * q:
            psi += v
        else:
            P[OUT[t] // q, OUT[t] % q] += v
    for i in range(q):
        for j in range(q):
            acc = 0.0
            for a in range(q):
                pm = 0.0
                for b in range(q):
                    pm += P[a, b] * y[b * q + j]
                acc += ((1.0 if i == a else 0.0) - G[i, a]) * pm
            f[i * q + j] = acc
    loss = 0.5 * (psi_identity - psi)
    rate = 0.0
    if with_rate:  # −½ tr(Φ Ġ), Ġ = ṀMᵀ + MṀᵀ
        for i in range(q):
            for j in range(q):
                gd = 0.0
                for m in range(q):
                    gd += f[i * q + m] * y[j * q + m] + y[i * q + m] * f[j * q + m]
                rate += P[j, i] * gd
        rate *= -0.5
    return loss, rate


@numba.njit(cache=True)
def _solve(A, b, n):  # pragma: no cover - compiled
    # Gaussian elimination with partial pivoting, in place
    for c in range(n):
        p = c
        for r in range(c + 1, n):
            if abs(A[r, c]) > abs(A[p, c]):
                p = r
        for k in range(n):
            A[c, k], A[p, k] = A[p, k], A[c, k]
        b[c], b[p] = b[p], b[c]
        for r in range(c + 1, n):
            m = A[r, c] / A[c, c]
            for k in range(c, n):
                A[r, k] -= m * A[c, k]
            b[r] -= m * b[c]
    for c in range(n - 1, -1, -1):
        acc = b[c]
        for k in range(c + 1, n):
            acc -= A[c, k] * b[k]
        b[c] = acc / A[c, c]


@numba.njit(cache=True)
def _run(y, q, t_max, rtol, atol, loss_floor, max_steps, ts, Ls, Rs, E, C, OUT,
         psi_identity):  # pragma: no cover - compiled
    n = q * q
    gamma = 1.0 + 1.0 / np.sqrt(2.0)
    f0, f1, fk, yk = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    k1, k2, new = np.empty(n), np.empty(n), np.empty(n)
    J, A = np.empty((n, n)), np.empty((n, n))
    P, G, g = np.empty((q, q)), np.empty((q, q)), np.empty(q * (q + 1) // 2)
    t, h = 0.0, 1e-3
    loss, rate = _evaluate(y, q, f0, P, G, g, True, E, C, OUT, psi_identity)
    ts[0], Ls[0], Rs[0] = 0.0, loss, rate
    count = 1
    for _ in range(max_steps):
        if loss < loss_floor or t >= t_max:
            return count
        hh = min(h, t_max - t)
        _evaluate(y, q, f0, P, G, g, False, E, C, OUT, psi_identity)
        for c in range(n):  # forward-difference Jacobian
            step = 1e-7 * max(1e-3, abs(y[c]))
            for k in range(n):
                yk[k] = y[k]
            yk[c] += step
            _evaluate(yk, q, fk, P, G, g, False, E, C, OUT, psi_identity)
            for r in range(n):
                J[r, c] = (fk[r] - f0[r]) / step
        for r in range(n):
            for c in range(n):
                A[r, c] = (1.0 if r == c else 0.0) - gamma * hh * J[r, c]
            k1[r] = f0[r]
        _solve(A.copy(), k1, n)
        for k in range(n):
            yk[k] = y[k] + hh * k1[k]
        _evaluate(yk, q, f1, P, G, g, False, E, C, OUT, psi_identity)
        for k in range(n):
            k2[k] = f1[k] - 2.0 * k1[k]
        _solve(A.copy(), k2, n)
        e = 0.0
        for k in range(n):
            new[k] = y[k] + hh * (1.5 * k1[k] + 0.5 * k2[k])
            scale = atol + rtol * max(abs(y[k]), abs(new[k]))
            e += (0.5 * hh * (k1[k] + k2[k]) / scale) ** 2
        e = np.sqrt(e / n)
        if e <= 1.0:
            t += hh
            for k in range(n):
                y[k] = new[k]
            loss, rate = _evaluate(y, q, f0, P, G, g, True, E, C, OUT, psi_identity)
            ts[count], Ls[count], Rs[count] = t, loss, rate
            count += 1
        h = hh * min(5.0, max(0.2, 0.9 / np.sqrt(max(e, 1e-12))))
    return -1


@dataclass(frozen=True)
class ReducedFlow:
    """The reduced ODE of a polynomial link for the compiled ROS2 loop: ``ψ`` and ``Φ = ∇_G ψ``
    (from ``theory.reduced_ode``) as monomial tables in the entries ``g_ij`` (``i ≤ j``) of ``G``:
    exponents ``E``, float coefficients ``C`` and the slot ``OUT`` of each monomial (``Φ_ij`` at
    ``iq + j``, ``ψ`` at ``q²``). The loop (numba, cached on disk) is the same for every link."""

    q: int
    exponents: np.ndarray
    coefficients: np.ndarray
    slots: np.ndarray
    psi_identity: float

    @classmethod
    def of(cls, link: sympy.Expr, zs: Sequence[sympy.Symbol]) -> "ReducedFlow":
        """Derive ψ and Φ (the Wick engine of ``theory.averaging``) and tabulate their monomials."""
        q = len(zs)
        G = ro.symmetric_matrix(q)
        psi = ro.psi_of(link, zs, G)
        phi = ro.symmetric_gradient(psi, G)
        gens = [G[i, j] for i in range(q) for j in range(i, q)]
        rows = []
        for slot, expr in [*((i * q + j, phi[i, j]) for i in range(q) for j in range(q)), (q * q, psi)]:
            poly = sympy.Poly(sympy.expand(expr), *gens)
            rows += [(slot, exps, float(c)) for exps, c in poly.terms() if c != 0]
        full = float(psi.subs({G[i, j]: (1 if i == j else 0) for i in range(q) for j in range(i, q)}))
        exponents = np.array([r[1] for r in rows], dtype=np.int64).reshape(len(rows), len(gens))
        return cls(q=q, exponents=exponents, coefficients=np.array([r[2] for r in rows]),
                   slots=np.array([r[0] for r in rows], dtype=np.int64), psi_identity=full)


@dataclass
class Run:
    """One recorded trajectory: accepted times, loss and loss rate, the final state."""

    ts: np.ndarray
    losses: np.ndarray
    rates: np.ndarray
    final: np.ndarray


def integrate(flow: ReducedFlow, starts: np.ndarray, t_max: float, rtol: float, atol: float = 1e-14,
              loss_floor: float = 1e-8, max_steps: int = 400_000) -> list[Run]:
    """ROS2 runs of ``Ṁ = (I − G)Φ(G)M`` from each ``starts[k]`` (q×q) until ``t_max`` or the loss
    falls below ``loss_floor``; ``InputError`` if a run needs more than ``max_steps`` steps."""
    runs = []
    for M0 in starts:
        ts, Ls, Rs = np.empty(max_steps + 1), np.empty(max_steps + 1), np.empty(max_steps + 1)
        y = np.array(M0, dtype=float).reshape(-1).copy()
        count = _run(y, flow.q, t_max, rtol, atol, loss_floor, max_steps, ts, Ls, Rs, flow.exponents,
                     flow.coefficients, flow.slots, flow.psi_identity)
        if count < 0:
            raise InputError(f"a run needed more than {max_steps} steps")
        runs.append(Run(ts[:count].copy(), Ls[:count].copy(), Rs[:count].copy(), y.reshape(flow.q, flow.q)))
    return runs


@dataclass(frozen=True)
class Plateau:
    """A stretch between transitions: its time span, and the time and loss where ``|L̇|`` is smallest."""

    start: float
    end: float
    t_min: float
    loss: float
    rate: float


@dataclass(frozen=True)
class Profile:
    """What the detector found in one run: transition times (peak ``|L̇|``) and the plateaus
    (``len(plateaus) = len(transitions) + 1``; the last one is where the run ends)."""

    transitions: tuple[float, ...]
    plateaus: tuple[Plateau, ...]

    def stage_lengths(self) -> list[float]:
        """Time from one transition to the next (from ``t = 0`` to the first)."""
        marks = (0.0, *self.transitions)
        return [b - a for a, b in zip(marks, marks[1:])]


def detect(run: Run, theta: float = THETA) -> Profile:
    """Transitions (maximal stretches with ``|L̇| ≥ θ``, timed at their largest ``|L̇|``) and the
    plateaus around them (loss where ``|L̇|`` is smallest)."""
    ts, losses, rates = run.ts, run.losses, np.abs(run.rates)
    fast = rates >= theta
    edges = np.flatnonzero(np.diff(fast.astype(int)))
    bounds = [0, *(edges + 1).tolist(), len(ts)]
    transitions, plateaus = [], []
    for a, b in zip(bounds, bounds[1:]):
        if fast[a]:
            transitions.append(float(ts[a + int(np.argmax(rates[a:b]))]))
        else:
            k = a + int(np.argmin(rates[a:b]))
            plateaus.append(Plateau(float(ts[a]), float(ts[b - 1]), float(ts[k]), float(losses[k]),
                                    float(rates[k])))
    if fast[0] or fast[-1]:
        raise InputError("the run starts or ends inside a transition (|L'| >= theta): no plateau there")
    return Profile(tuple(transitions), tuple(plateaus))
