"""The Gram/Cholesky pseudoinverse against the Moore–Penrose conditions and mpmath's SVD."""

import mpmath
import numpy as np
import pytest

from gfverify.numerics.precision import tolerance
from gfverify.numerics.pseudoinverse import Jacobian, SingularJacobian, complement, svd_projector

DPS = 30


def _random_rows(m, K, seed):
    rng = np.random.default_rng(seed)
    return [[mpmath.mpf(float(v)) for v in row] for row in rng.standard_normal((m, K))]


def _matrix_pinv(J):
    cols = []
    for i in range(J.m):
        e = [mpmath.mpf(int(i == j)) for j in range(J.m)]
        cols.append(J.pinv(e))
    return mpmath.matrix(cols).T


@pytest.mark.parametrize("m,K", [(2, 5), (4, 4), (5, 2)])
def test_penrose_conditions(m, K):
    with mpmath.workdps(DPS):
        J = Jacobian(_random_rows(m, K, m * 10 + K))
        D, X = mpmath.matrix(J.rows), _matrix_pinv(J)
        for R in (D * X * D - D, X * D * X - X, (D * X).T - D * X, (X * D).T - X * D):
            assert mpmath.mnorm(R, 1) < tolerance(DPS)


def test_singular_values_match_svd_and_projector():
    with mpmath.workdps(DPS):
        rows = _random_rows(3, 6, 1)
        J = Jacobian(rows)
        ref = sorted(mpmath.svd_r(mpmath.matrix(rows), compute_uv=False), reverse=True)
        assert max(abs(a - b) for a, b in zip(J.singular_values(), ref)) < tolerance(DPS)
        v = [mpmath.mpf(1), mpmath.mpf(-2), mpmath.mpf(3)]
        assert max(abs(a - b) for a, b in zip(J.proj(v), v)) < tolerance(DPS)  # full row rank: P = I


def test_tall_projector_is_idempotent_and_not_identity():
    with mpmath.workdps(DPS):
        J = Jacobian(_random_rows(5, 2, 3))
        v = [mpmath.mpf(k + 1) for k in range(5)]
        p = J.proj(v)
        assert max(abs(a - b) for a, b in zip(J.proj(p), p)) < tolerance(DPS)
        assert max(abs(a - b) for a, b in zip(p, v)) > 0.1


def test_rank_deficient_raises():
    with mpmath.workdps(DPS):
        row = [mpmath.mpf(1), mpmath.mpf(2), mpmath.mpf(3)]
        with pytest.raises(SingularJacobian):
            Jacobian([row, [2 * v for v in row]])


@pytest.mark.parametrize("m,K", [(2, 5), (5, 2)])
def test_svd_projector_agrees_with_the_gram_route(m, K):
    with mpmath.workdps(DPS):
        rows = _random_rows(m, K, 7 * m + K)
        v = [mpmath.mpf(i + 1) / 3 for i in range(m)]
        P = svd_projector(rows)
        assert mpmath.mnorm(P * P - P, 1) < tolerance(DPS) and mpmath.mnorm(P - P.T, 1) < tolerance(DPS)
        gram = Jacobian(rows).proj(v)
        assert max(abs(a - b) for a, b in zip(P * mpmath.matrix(v), gram)) < tolerance(DPS)


def test_complement_of_a_rank_deficient_matrix():
    with mpmath.workdps(DPS):
        # rank 1: every row a multiple of (1, 2, 3)
        rows = [[mpmath.mpf(k * j) for j in (1, 2, 3)] for k in (1, -2, 4, 3)]
        v = [mpmath.mpf(v) for v in (1, 0, 2, -1)]
        perp = complement(rows, v)
        column = [r[0] for r in rows]
        assert abs(mpmath.fdot(perp, column)) < tolerance(DPS)
        # v − P⊥v lies in range(D) = span(column)
        par = [a - b for a, b in zip(v, perp)]
        c = mpmath.fdot(par, column) / mpmath.fdot(column, column)
        assert max(abs(a - c * b) for a, b in zip(par, column)) < tolerance(DPS)


@pytest.mark.parametrize("wide", [True, False])
def test_ill_conditioned_pinv_loses_only_kappa_epsilon(wide):
    # D = [[1, 1, 0], [1, 1 + 10^-8, 0]] (or its transpose), kappa(D) ~ 4 10^8: the Gram matrix
    # squares kappa, so a solve at the working precision would lose 2 log10 kappa digits;
    # at twice the precision D+ v carries the backward-stable error kappa eps (module docstring)
    with mpmath.workdps(DPS):
        rows = [[1, 1, 0], [1, 1 + mpmath.mpf(10) ** -8, 0]]
        D = rows if wide else [list(c) for c in zip(*rows)]
        v = [mpmath.mpf(1), mpmath.mpf(-2)] if wide else [mpmath.mpf(1), mpmath.mpf(-2), mpmath.mpf(3)]
        got = Jacobian(D).pinv(v)
        with mpmath.workdps(3 * DPS):  # the same entries, inverted exactly enough (2x2 block)
            A = mpmath.matrix(rows)[:, :2]
            Ainv = mpmath.inverse(A)
            exact = list(Ainv * mpmath.matrix(v)) + [0] if wide else list(Ainv.T * mpmath.matrix(v[:2]))
        kappa = mpmath.mpf(4) * 10**8
        scale = max(abs(e) for e in exact)
        assert max(abs(g - e) for g, e in zip(got, exact)) <= 100 * kappa * mpmath.mpf(10) ** -DPS * scale


def test_inverse_condition_of_a_single_row_is_one():
    # one singular value (|(3, 4)| = 5): sigma_min / sigma_max = 1
    with mpmath.workdps(DPS):
        assert Jacobian([[mpmath.mpf(3), mpmath.mpf(4)]]).inverse_condition() == 1



def test_a_zero_jacobian_is_refused_at_construction():
    # rank min(m, K) is assumed: the zero matrix has rank 0, so it never reaches the
    # condition number (whose twin, a single non-zero row, gives 1 above)
    with mpmath.workdps(DPS), pytest.raises(SingularJacobian):
        Jacobian([[mpmath.mpf(0), mpmath.mpf(0)]])
