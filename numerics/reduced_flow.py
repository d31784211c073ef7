"""Trajectories of the reduced ODE ``Ṁ = (I − G) Φ(G) M`` of [A] (q = 2 here) from the ODE layer,
and the random links and starts the invariant checks draw."""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
import sympy

from gfverify.numerics import ode
from gfverify.theory import reduced_ode as ro

Z1, Z2 = sympy.symbols("z1 z2", real=True)


def flow_samples(link: sympy.Expr, zs: Sequence[sympy.Symbol], M0: sympy.Matrix, t_end: object,
                 digits: int, n: int = 9) -> tuple[list[tuple[mpmath.mpf, mpmath.matrix]], ode.Trajectory]:
    """The reduced flow of ``link`` from ``M0``: ``n`` equispaced samples ``(t, M(t))`` on
    ``[0, t_end]``, each confirmed to ``digits`` digits, and the trajectory."""
    rhs, Msym = ro.reduced_rhs(link, list(zs), expand=False)
    system = ode.OdeSystem.from_sympy(list(rhs), list(Msym))
    traj = ode.solve(system, list(M0), t_end, digits, n_dense=n)
    q = len(zs)
    samples = [(t, mpmath.matrix([list(y[i * q:(i + 1) * q]) for i in range(q)]))
               for t, y in zip(traj.ts, traj.ys)]
    return samples, traj


def random_start(rng: np.random.Generator, q: int) -> sympy.Matrix:
    """An exact rational q×q start with ‖M‖_op ≤ 0.9 (a Gaussian matrix rescaled, entries
    rounded to 10^-6)."""
    A = rng.standard_normal((q, q))
    A *= rng.uniform(0.05, 0.9) / np.linalg.norm(A, 2)
    return sympy.Matrix(q, q, [sympy.Rational(round(v * 10**6), 10**6) for v in A.flat])


def random_link(rng: np.random.Generator) -> sympy.Expr:
    """A random polynomial link in ``z1, z2``: three of six low-degree monomials with positive
    rational coefficients."""
    monos = [Z1, Z2, Z1 * Z2, Z1**2, Z2**2, Z1**2 * Z2]
    chosen = rng.choice(len(monos), size=3, replace=False)
    return sum(sympy.Rational(int(rng.integers(1, 6)), int(rng.integers(1, 4))) * monos[i] for i in chosen)
