"""Gragg–Bulirsch–Stoer extrapolation for ``y' = f(t, y)`` at arbitrary mpmath precision.

Each step of length ``H`` runs Gragg's modified midpoint rule with ``n_k = 2k`` substeps
(error an even series in ``H/n_k``) and extrapolates ``H → 0`` by Aitken–Neville in ``h²``;
column ``k`` has order ``2k``. The step is accepted when the last two diagonal entries agree
within ``tol · max(1, |y_i|)``; step size and column are chosen by the work-per-unit-step rule
of Hairer–Nørsett–Wanner (ODEX, §II.9). Needs only ``f``, which may contain a pseudoinverse,
and raises :class:`StepSizeUnderflow` where ``f`` is singular."""

from __future__ import annotations

from typing import Callable, Sequence

import mpmath

RHS = Callable[[object, list], list]


class StepSizeUnderflow(ArithmeticError):
    """The step size fell below the floor: the right-hand side is (nearly) singular at ``t``."""

    def __init__(self, t, step) -> None:
        super().__init__(f"step size {mpmath.nstr(step, 3)} underflows at t = {mpmath.nstr(t, 8)}")
        self.t = t


def _axpy(a, x: list, y: list) -> list:
    return [yi + a * xi for xi, yi in zip(x, y)]


def _midpoint(f: RHS, t, y: list, f0: list, H, n: int, lift) -> list:
    """Gragg's modified midpoint rule over ``[t, t + H]`` with ``n`` (even) substeps."""
    h = H / n
    hl, h2 = lift(h), lift(2 * h)
    z0, z1 = y, _axpy(hl, f0, y)
    for i in range(1, n):
        z0, z1 = z1, _axpy(h2, f(t + i * h, z1), z0)
    last = f(t + H, z1)
    return [(a + b + hl * c) / 2 for a, b, c in zip(z0, z1, last)]


def _error(a: list, b: list, tol, to_mp) -> mpmath.mpf:
    return max(abs(to_mp(x - y)) / (tol * max(1, abs(to_mp(x)))) for x, y in zip(a, b))


def _identity(x):
    return x


class BulirschStoer:
    """An integrator with error tolerance ``tol`` per step and at most ``kmax`` columns.

    The state may be held in another number type than ``mpf`` (e.g. python-flint ``arb``, whose
    arithmetic is faster): ``lift`` turns an ``mpf`` into it and ``to_mp`` back; ``f(t, y)``
    then takes and returns that type, while times, steps and error norms stay ``mpf``."""

    def __init__(self, f: RHS, tol, kmax: int, min_step=None, lift=mpmath.mpf, to_mp=_identity) -> None:
        self.f, self.tol, self.kmax = f, mpmath.mpf(tol), kmax
        self.lift, self.to_mp = lift, to_mp
        self.min_step = mpmath.mpf(min_step) if min_step is not None else mpmath.sqrt(self.tol)
        self.n = [2 * (k + 1) for k in range(kmax)]
        work = [self.n[0] + 1]
        for k in range(1, kmax):
            work.append(work[-1] + self.n[k])
        self.work = work
        self.evaluations = 0
        self.steps = 0
        self.rejected = 0

    def _counted(self, t, y):
        self.evaluations += 1
        return self.f(t, y)

    def _step(self, t, y: list, H, k_target: int):
        """Try one step; returns ``(accepted, y_new, H_next, k_next)``. A right-hand side that
        fails (``ArithmeticError``, e.g. a singular matrix at a trial point) or a non-finite
        error estimate rejects the step with a quarter of its length."""
        try:
            return self._try_step(t, y, H, k_target)
        except ArithmeticError:
            return False, None, H / 4, k_target

    def _try_step(self, t, y: list, H, k_target: int):
        f0 = self._counted(t, y)
        table: list[list] = []
        h_opt, work = [None] * self.kmax, [None] * self.kmax
        for k in range(min(k_target + 1, self.kmax - 1) + 1):
            row = [_midpoint(self._counted, t, y, f0, H, self.n[k], self.lift)]
            for j in range(1, k + 1):
                ratio = self.lift((mpmath.mpf(self.n[k]) / self.n[k - j]) ** 2 - 1)
                row.append([a + (a - b) / ratio for a, b in zip(row[j - 1], table[k - 1][j - 1])])
            table.append(row)
            if k == 0:
                continue
            err = _error(row[k], row[k - 1], self.tol, self.to_mp)
            if not mpmath.isfinite(err):
                raise ArithmeticError("non-finite error estimate")
            expo = mpmath.mpf(1) / (2 * k + 1)
            if err > 0:
                factor = min(4, max(mpmath.mpf(1) / 50,
                                    mpmath.mpf("0.94") * (mpmath.mpf("0.65") / err) ** expo))
            else:
                factor = mpmath.mpf(4)
            h_opt[k] = H * factor
            work[k] = self.work[k] / h_opt[k]
            if err <= 1 and k >= 2:
                k_next = k
                if k >= 3 and work[k - 1] < mpmath.mpf("0.8") * work[k]:
                    k_next = k - 1
                elif k < self.kmax - 1 and work[k] < mpmath.mpf("0.9") * work[k - 1]:
                    k_next = k + 1
                H_next = h_opt[k] * (mpmath.mpf(self.work[k + 1]) / self.work[k] if k_next > k else 1)
                if k_next < k:
                    H_next = h_opt[k - 1]
                return True, row[k], H_next, k_next
        k_last = len(table) - 1
        h_next = h_opt[k_last] if h_opt[k_last] is not None else H / 4
        return False, None, h_next, max(2, min(k_target, k_last))

    def integrate(self, t0, y0: Sequence, times: Sequence, h0=None,
                  on_step: Callable[[object, list], None] | None = None) -> list[list]:
        """The solution at each of the increasing ``times`` (all > ``t0``); ``on_step(t, y)``
        is called after every accepted step (e.g. a rank monitor, which may raise), with ``y``
        as ``mpf``; the returned states are ``mpf``."""
        t, y = mpmath.mpf(t0), [self.lift(v) for v in y0]
        ends = [mpmath.mpf(s) for s in times]
        if any(b <= a for a, b in zip([t] + ends[:-1], ends)):
            raise ValueError("output times must increase and exceed t0")
        H = mpmath.mpf(h0) if h0 is not None else (ends[-1] - t) / 8
        k_target = max(2, self.kmax // 2)
        out = []
        for end in ends:
            while t < end:
                last = end - t <= H * (1 + mpmath.mpf(10) ** -10)
                h = end - t if last else H
                ok, y_new, H_next, k_target = self._step(t, y, h, k_target)
                if not ok:
                    self.rejected += 1
                    H = min(H_next, h / 2)
                    if H < self.min_step * max(1, abs(t)):
                        raise StepSizeUnderflow(t, H)
                    continue
                t, y = (end if last else t + h), y_new
                self.steps += 1
                if on_step is not None:
                    on_step(t, [self.to_mp(v) for v in y])
                H = H_next if not last or H_next < H else H
                if self.steps > 100000:
                    raise RuntimeError("Bulirsch–Stoer: more than 100000 steps")
            out.append([self.to_mp(v) for v in y])
        return out


def default_kmax(dps: int) -> int:
    """Columns for ``dps`` digits: order ``2k`` grows with the precision asked."""
    return max(8, min(30, dps // 2 + 4))
