"""The d-dimensional Stiefel flow (numerics/stiefel_flow.py): exact frames, the start, the Stein +
Wick gradient pushed to M against the reduced ODE (symbolic identity), and a short integration."""

import mpmath
import pytest
import sympy

from gfverify.errors import InputError
from gfverify.numerics import ode
from gfverify.numerics import stiefel_flow as sf
from gfverify.theory import reduced_ode as ro

R = sympy.Rational
Z1, Z2 = sympy.symbols("z1 z2", real=True)
M0 = sympy.Matrix([[R(2, 5), R(-1, 5)], [R(1, 10), R(3, 10)]])


def test_householder_frame_is_exactly_orthonormal_and_dense():
    cols = sf.householder_frame(9, 4, seed=3)
    for a in range(4):
        for b in range(4):
            assert sum(x * y for x, y in zip(cols[a], cols[b])) == (1 if a == b else 0)
    assert all(x != 0 for col in cols for x in col)


def test_start_pair_has_the_requested_overlap():
    with mpmath.workdps(40):
        W_star, W0 = sf.start_pair(12, M0, seed=1)
        assert mpmath.mnorm(W_star.T * W0 - mpmath.matrix(M0.tolist()), 1) < mpmath.mpf(10) ** -35
        assert mpmath.mnorm(W0.T * W0 - mpmath.eye(2), 1) < mpmath.mpf(10) ** -35


@pytest.mark.parametrize("model", ["two-timescale", "planted"])
@pytest.mark.parametrize("link", [Z1 + Z1 * Z2, Z1 * Z2 + Z1**2 * Z2 + Z2**3])
def test_stein_gradient_pushed_to_M_is_the_reduced_ode(model, link):
    """Ṁ = W*ᵀẆ with ∇_W L = W* A + W B: Ṁ = −(A + MB) + M sym(MᵀA + B), identical in M to the
    reduced ODE derived from ψ (two-timescale) or from ⟨A_M f*, f*⟩ (planted)."""
    A, B, M = sf.stein_coefficients(link, (Z1, Z2), model)
    S = M.T * A + B
    pushed = -(A + M * B) + M * (S + S.T) / 2
    want, Msym = (ro.planted_rhs if model == "planted" else ro.reduced_rhs)(link, [Z1, Z2], M)
    assert (pushed - want).applyfunc(sympy.expand) == sympy.zeros(2, 2)


def test_stein_gradient_with_the_wrong_link_is_not_the_reduced_ode():
    """The planted gradient (link f*) pushed to M is not the two-timescale ODE: the test above
    can tell the two models apart."""
    link = Z1 + Z1 * Z2
    A, B, M = sf.stein_coefficients(link, (Z1, Z2), "planted")
    S = M.T * A + B
    pushed = -(A + M * B) + M * (S + S.T) / 2
    want, _ = ro.reduced_rhs(link, [Z1, Z2], M)
    assert (pushed - want).applyfunc(sympy.expand) != sympy.zeros(2, 2)


def test_single_index_flow_in_d_dimensions_matches_the_ode():
    """q = 1, d = 6, planted f* = He3 (α_3² = 6): the d-dimensional m(t) against ṁ = 18(1 − m²)m²."""
    z = sympy.Symbol("z", real=True)
    link = z**3 - 3 * z
    m0 = sympy.Matrix([[R(1, 3)]])
    m = sympy.Symbol("m", real=True)
    traj = ode.solve(ode.OdeSystem.from_sympy([18 * (1 - m**2) * m**2], [m]), [m0[0, 0]], 1, 20,
                     t_eval=[R(1, 2), 1])
    with mpmath.workdps(20):
        W_star, W0 = sf.start_pair(6, m0, seed=2)
        got = sf.overlaps(link, [z], W_star, W0, [R(1, 2), 1], "planted")
        for M, y in zip(got, traj.ys):
            assert abs(M[0, 0] - y[0]) < mpmath.mpf(10) ** -15


def test_bad_inputs():
    with pytest.raises(InputError):
        sf.stein_coefficients(sympy.tanh(Z1) * Z2, (Z1, Z2), "planted")
    with pytest.raises(InputError):
        sf.stein_coefficients(Z1 * Z2, (Z1, Z2), "euclidean")
    with pytest.raises(InputError):
        sf.start_pair(10, sympy.Matrix([[1, 0], [0, R(1, 2)]]), seed=0)
    with pytest.raises(InputError):
        sf.start_pair(3, M0, seed=0)


def test_ridge_stein_gradient_pushed_to_M_is_the_flow_of_the_objective_value():
    """With the link refit by ridge, the pushed Stein gradient equals the Stiefel flow of the
    objective value J_μ(M) (theory/finite_ridge), and not that of the loss at the ridge link."""
    from gfverify.theory.finite_ridge import ridge_reduced_rhs

    link, ridge = Z1 + Z1 * Z2, (R(1, 2), R(1, 10))
    A, B, M = sf.stein_coefficients(link, (Z1, Z2), "two-timescale", ridge)
    S = M.T * A + B
    pushed = (-(A + M * B) + M * (S + S.T) / 2).applyfunc(sympy.expand)
    of_objective, Mo = ridge_reduced_rhs(link, [Z1, Z2], *ridge)
    of_loss, _ = ridge_reduced_rhs(link, [Z1, Z2], *ridge, of="loss")
    assert Mo == M
    assert (pushed - of_objective).applyfunc(sympy.expand) == sympy.zeros(2, 2)
    assert (pushed - of_loss).applyfunc(sympy.expand) != sympy.zeros(2, 2)
    with pytest.raises(InputError):
        sf.stein_coefficients(link, (Z1, Z2), "planted", ridge)


@pytest.mark.parametrize("q", [2, 3])
def test_quadrature_stein_coefficients_are_the_closed_forms(q):
    """The relu-sum Stein coefficients by 1-D quadrature against independent closed forms:
    A_ij = −P(x > 0, y > 0) = −(¼ + arcsin(M_ij)/(2π)) (arc-cosine kernel of reduced_numeric),
    B_ij = ¼ off the diagonal, B_jj = ½ − (Σ_k √(1 − M_kj²) − (q − 1))/(2π); to 40 digits."""
    from gfverify.numerics import stiefel_quadrature as sq
    from gfverify.numerics.reduced_numeric import relu_kernel

    entries = [R(2, 5), R(-1, 5), R(1, 10), R(3, 10), R(-9, 10), R(19, 20), R(0), R(-7, 10), R(1, 2)]
    with mpmath.workdps(40):
        M = mpmath.matrix(q, q)
        for k in range(q * q):
            M[k // q, k % q] = mpmath.mpf(entries[k].p) / entries[k].q
        A, B = sq.relu_sum_coefficients(M)
        tol = mpmath.mpf(10) ** -38
        for i in range(q):
            for j in range(q):
                assert abs(A[i, j] + relu_kernel(M[i, j], 1)) < tol
                want = (mpmath.mpf(1) / 2 - (mpmath.fsum(mpmath.sqrt(1 - M[k, j] ** 2) for k in range(q))
                                             - (q - 1)) / (2 * mpmath.pi)) if i == j else mpmath.mpf(1) / 4
                assert abs(B[i, j] - want) < tol


def test_shifted_heaviside_is_a_different_coefficient():
    """relu'(u) replaced by H(u − ½): the orthant probability moves by far more than the precision
    (the claim test shows the d-dimensional comparison then FAILs)."""
    from gfverify.numerics import stiefel_quadrature as sq

    with mpmath.workdps(30):
        rho = mpmath.mpf(3) / 10
        exact = mpmath.mpf(1) / 4 + mpmath.asin(rho) / (2 * mpmath.pi)
        assert abs(sq.orthant(rho) - exact) < mpmath.mpf(10) ** -28
        assert abs(sq.orthant(rho, threshold=mpmath.mpf(1) / 2) - exact) > mpmath.mpf(10) ** -2
        with pytest.raises(ArithmeticError):
            sq.orthant(1)
