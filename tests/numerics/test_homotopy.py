"""numerics.homotopy: singular values of (1−α)Dᵀ + αD⁺ against (1−α)σ + α/σ (and not the
swapped α ↔ 1 − α), the finite-difference output velocity against the kernel, Newton zeros."""

import mpmath

from gfverify.numerics import homotopy
from gfverify.numerics.networks import random_graph, random_mlp
from gfverify.numerics.precision import tolerance
from gfverify.numerics.pseudoinverse import Jacobian

DPS = 25
NET = random_mlp((1, 4, 1), 2, 2)
GRAPH = random_graph(2, 2, 0)


def test_singular_values_of_the_homotopy_matrix():
    with mpmath.workdps(DPS):
        rows = NET.model.outputs_and_jacobian(NET.theta0_mp())[1]
        sigma = Jacobian(rows).singular_values()
        a = mpmath.mpf(1) / 5
        got = homotopy.homotopy_singular_values(rows, a)
        want = sorted(((1 - a) * s + a / s for s in sigma), reverse=True)
        swapped = sorted((a * s + (1 - a) / s for s in sigma), reverse=True)
        assert max(abs(p - q) for p, q in zip(got, want)) < tolerance(DPS)
        assert max(abs(p - q) for p, q in zip(got, swapped)) > mpmath.mpf("1e-3")


def test_output_velocity_matches_the_kernel():
    kernel = lambda D, P, a: (1 - a) * D * D.T + a * P  # noqa: E731
    with mpmath.workdps(DPS):
        for problem in (NET, GRAPH):
            for alpha in (0, mpmath.mpf(1) / 3, 1):
                fd = homotopy.output_velocity(problem, alpha)
                kv = homotopy.kernel_velocity(problem, alpha, kernel)
                assert max(abs(p - q) for p, q in zip(fd, kv)) < tolerance(DPS)


def test_zeros_of_every_field_coincide():
    with mpmath.workdps(DPS):
        z0, z1 = homotopy.zero_of(GRAPH, 0), homotopy.zero_of(GRAPH, 1)
        assert max(abs(p - q) for p, q in zip(z0, z1)) < tolerance(DPS)
        assert homotopy.field_norm(GRAPH, mpmath.mpf(1) / 2, z0) < tolerance(DPS)


def test_singular_values_with_three_outputs():
    """D = [diag(1, 2, 4) | 0] (3 outputs, 4 parameters): σ = 1, 2, 4 and the singular values of
    (1−α)Dᵀ + αD⁺ are (1−α)σ + α/σ = 11/4, 3/2, 1 at α = 1/3. With two outputs a permuted basis
    vector gives the same singular values (mutation triage, fresh11: e_i replaced by 1 − e_i
    passed the two-output test, as 11ᵀ − I is then the swap)."""
    with mpmath.workdps(DPS):
        rows = [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 4, 0]]
        got = homotopy.homotopy_singular_values(rows, mpmath.mpf(1) / 3)
        want = [mpmath.mpf(11) / 4, mpmath.mpf(3) / 2, mpmath.mpf(1)]
        assert max(abs(p - q) for p, q in zip(got, want)) < tolerance(DPS)
