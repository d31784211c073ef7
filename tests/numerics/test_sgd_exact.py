"""The exact overlap sampler (numerics/sgd_exact.py): its step from the batch ingredients against a
d-dimensional step, its one-step law against the d-dimensional sampler (two-sample tests that can
fail: a wrong dimension is caught), chunking, and the reduced ODE at a small step."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from scipy import stats

from gfverify.numerics import online_sgd as sgd
from gfverify.numerics import sgd_exact
from gfverify.numerics.random_matrices import haar_stiefel
from gfverify.numerics.timescales import escape_time
from gfverify.theory.hermite import Z, h
from gfverify.theory.links import link_variables
from gfverify.theory.reduced_ode import M as MSYM
from gfverify.theory.reduced_ode import single_index_rhs

Z1, Z2 = link_variables(2)


@pytest.mark.parametrize("q, batch", [(1, 1), (1, 4), (2, 3), (3, 2)])
def test_retraction_from_the_ingredients_is_the_d_dimensional_step(q, batch):
    """One step computed on W (d×q) and X (B×d) directly -- V = W + c(XᵀD − W sym(ZᵀD)),
    M' = W*ᵀV(VᵀV)^{-1/2} -- equals sgd_exact.retract fed with A = Z*ᵀD, C = ZᵀD, E = HᵀD
    (H the coordinates in an orthonormal basis of span(W*, W) ⊖ W*) and Ω = DᵀX⊥X⊥ᵀD."""
    rng = np.random.default_rng(q * 10 + batch)
    d, c = 15, 0.3
    W = haar_stiefel(d, q, rng)
    X = rng.standard_normal((batch, d))
    D = rng.standard_normal((batch, q))  # any rows r_i ∇f(z_i): the identity is linear-algebraic
    M = W[:q].copy()
    Z = X @ W
    S = (Z.T @ D + D.T @ Z) / 2
    V = W + c * (X.T @ D - W @ S)
    vals, vecs = np.linalg.eigh(V.T @ V)
    direct = (V @ (vecs / np.sqrt(vals)) @ vecs.T)[:q]
    L = np.linalg.cholesky(np.eye(q) - M.T @ M)
    Wperp = W.copy()
    Wperp[:q] = 0
    E_basis = Wperp @ np.linalg.inv(L).T
    np.testing.assert_allclose(E_basis.T @ E_basis, np.eye(q), atol=1e-12)
    H = X @ E_basis
    np.testing.assert_allclose(Z, X[:, :q] @ M + H @ L.T, atol=1e-12)  # z = Mᵀz* + Lη
    U = np.hstack([np.eye(d)[:, :q], E_basis])
    Xperp = X - X @ U @ U.T
    got = M.copy()
    sgd_exact.retract(got, X[:, :q].T @ D, Z.T @ D, H.T @ D, D.T @ Xperp @ Xperp.T @ D, c)
    np.testing.assert_allclose(got, direct, atol=1e-12)


def _one_step(setup, sampler, m0, n):
    runs = sgd.run_sgd(setup, seeds=range(n), to=None, max_steps=1, sampler=sampler, m0=m0, record_every=1)
    return runs.path[:, 1]


@pytest.mark.parametrize("model, link, q, batch, m0", [
    ("planted", h(2, Z) + h(3, Z), 1, 1, [[0.3]]),
    ("planted", h(2, Z) + h(3, Z), 1, 4, [[0.3]]),
    ("planted", Z1**2 + Z1 * Z2 - Z2, 2, 2, [[0.3, 0.1], [-0.2, 0.4]]),
    ("two-timescale", Z1**2 + Z1 * Z2 - Z2, 2, 1, [[0.3, 0.1], [-0.2, 0.4]]),
    ("planted", sympy.tanh(2 * Z) + sympy.Max(Z, 0), 1, 2, [[0.3]]),
    ("planted", sympy.tanh(Z1) * Z2 + sympy.Abs(Z1 - Z2), 2, 1, [[0.3, 0.1], [-0.2, 0.4]]),
])
def test_one_step_law_exact_equals_full(model, link, q, batch, m0):
    """Two-sample KS tests of each entry of M after one step from the same M(0), exact vs full
    sampler, 6000 runs each at d = 20 (false alarm 1e-4 per entry)."""
    setup = sgd.SgdSetup(model=model, link=link, q=q, d=20, lr=0.05, batch=batch)
    m0 = np.array(m0)
    exact, full = _one_step(setup, "exact", m0, 6000), _one_step(setup, "full", m0, 6000)
    for i in range(q):
        for j in range(q):
            assert stats.ks_2samp(exact[:, i, j], full[:, i, j]).pvalue > 1e-4


def test_one_step_law_tells_a_wrong_dimension():
    """The same test has the power to see d = 20 against d = 40 (the χ²_{d−2} of the retraction)."""
    m0 = np.array([[0.3]])
    make = lambda d: sgd.SgdSetup(model="planted", link=h(2, Z) + h(3, Z), q=1, d=d, lr=0.05)  # noqa: E731
    exact, full = _one_step(make(20), "exact", m0, 6000), _one_step(make(40), "full", m0, 6000)
    assert stats.ks_2samp(exact[:, 0, 0], full[:, 0, 0]).pvalue < 1e-6


@pytest.mark.parametrize("link", [h(2, Z) + h(3, Z), sympy.tanh(Z) + sympy.tanh(Z) ** 2])
def test_two_timescale_hermite_refit_one_step_law(link):
    """The least-squares refit on fresh samples: exact vs full one-step law (KS, 3000 runs)."""
    setup = sgd.SgdSetup(model="two-timescale", link=link, q=1, d=20, lr=0.05,
                         refit="hermite", degree=3, n_fit=40)
    m0 = np.array([[0.3]])
    exact, full = _one_step(setup, "exact", m0, 3000), _one_step(setup, "full", m0, 3000)
    assert stats.ks_2samp(exact[:, 0, 0], full[:, 0, 0]).pvalue > 1e-4


def test_planted_escape_of_a_non_polynomial_link_follows_its_ode():
    """Planted tanh, d = 100, η = 1e-5 from m(0) = 0.2: the mean escape time to 0.5 of 8 runs is
    within 3% of ∫ dm / ((1 − m²) P'(m)) with P(m) = Σ α_k² m^k from the link's numeric α_k."""
    from scipy.integrate import quad

    setup = sgd.SgdSetup(model="planted", link=sympy.tanh(Z), q=1, d=100, lr=1e-5)
    runs = sgd.run_sgd(setup, seeds=range(8), to=0.5, max_steps=10**6, m0=np.array([[0.2]]))
    alphas = sgd.numeric_alphas(setup.target)
    k = np.arange(len(alphas))
    ode = quad(lambda m: 1 / ((1 - m * m) * np.sum(k[1:] * alphas[1:] ** 2 * m ** (k[1:] - 1))), 0.2, 0.5)[0]
    assert abs(runs.escape_time.mean() / ode - 1) < 0.03


def test_chunks_do_not_change_a_run(monkeypatch):
    setup = sgd.SgdSetup(model="planted", link=h(3, Z), q=1, d=50, lr=1e-3)
    whole = sgd.run_sgd(setup, seeds=[7], to=None, max_steps=100, record_every=1)
    monkeypatch.setattr(sgd_exact, "CHUNK", 7)
    pieces = sgd.run_sgd(setup, seeds=[7], to=None, max_steps=100, record_every=1)
    np.testing.assert_array_equal(whole.path, pieces.path)


def test_exact_sampler_follows_the_planted_ode_at_small_step():
    """Planted h_2, d = 100, η = 1e-5 from m(0) = 0.2: every escape time to 0.5 of 8 runs is within
    6% of the reduced ODE's T(0.2 → 0.5) (closed form), and their mean within 2%."""
    setup = sgd.SgdSetup(model="planted", link=h(2, Z), q=1, d=100, lr=1e-5)
    runs = sgd.run_sgd(setup, seeds=range(8), to=0.5, max_steps=10**6, m0=np.array([[0.2]]))
    ode = float(escape_time(single_index_rhs({2: 1}, MSYM, planted=True), MSYM, sympy.Rational(1, 5),
                            sympy.Rational(1, 2)))
    rel = runs.escape_time / ode - 1
    assert np.all(np.abs(rel) < 0.06) and abs(rel.mean()) < 0.02


def test_exact_sampler_follows_the_two_timescale_ode_q1():
    """Two-timescale (oracle link A_m f*), f* = h_2, d = 100, η = 1e-5 from m(0) = 0.3: escape
    times to 0.5 of 8 runs within 6% of the closed-form T of ṁ = 2m³(1 − m²) (A10), mean within 2%."""
    setup = sgd.SgdSetup(model="two-timescale", link=h(2, Z), q=1, d=100, lr=1e-5)
    runs = sgd.run_sgd(setup, seeds=range(8), to=0.5, max_steps=10**6, m0=np.array([[0.3]]))
    ode = float(escape_time(single_index_rhs({2: 1}, MSYM), MSYM, sympy.Rational(3, 10),
                            sympy.Rational(1, 2)))
    rel = runs.escape_time / ode - 1
    assert np.all(np.abs(rel) < 0.06) and abs(rel.mean()) < 0.02


@pytest.mark.parametrize("model", ["planted", "two-timescale"])
def test_exact_sampler_follows_the_reduced_ode_q2(model):
    """q = 2, f* = z1 z2 + h_2(z1) − z2, d = 200, η = 2e-5, 25 000 steps (t = 0.5) from a common
    non-diagonal M(0): the mean of 8 runs is within 0.01 of the reduced ODE (A10 / A16, from
    theory.reduced_ode, integrated by scipy at rtol 1e-10) entrywise, while the ODE moves M by
    more than 0.05 (so a wrong drift would show)."""
    from scipy.integrate import solve_ivp

    from gfverify.theory.reduced_ode import planted_rhs, reduced_rhs

    link = Z1 * Z2 + h(2, Z1) - Z2
    rhs, Msym = (planted_rhs if model == "planted" else reduced_rhs)(link, [Z1, Z2])
    fn = sympy.lambdify(list(Msym), list(rhs))
    m0 = np.array([[0.5, 0.1], [-0.1, 0.4]])
    ode = solve_ivp(lambda t, y: fn(*y), (0, 0.5), m0.ravel(), rtol=1e-10, atol=1e-12).y[:, -1]
    setup = sgd.SgdSetup(model=model, link=link, q=2, d=200, lr=2e-5)
    runs = sgd.run_sgd(setup, seeds=range(8), to=None, max_steps=25_000, m0=m0)
    assert np.abs(ode - m0.ravel()).max() > 0.05
    np.testing.assert_allclose(runs.final.mean(axis=0).ravel(), ode, atol=0.01)


def test_progress_across_chunks_sums_to_every_step_slot(monkeypatch):
    """progress(k) reports the steps of each chunk; a run that escapes uses up its remaining
    slots, so the reports sum to len(seeds) · max_steps (a start at 0.6 ≥ 0.5 escapes at step 0)."""
    monkeypatch.setattr(sgd_exact, "CHUNK", 7)
    setup = sgd.SgdSetup(model="planted", link=h(3, Z), q=1, d=50, lr=1e-3)
    calls = []
    runs = sgd.run_sgd(setup, seeds=[1, 2], to=None, max_steps=30, progress=calls.append)
    assert calls == [7, 7, 7, 7, 2] * 2 and np.all(runs.escape_step == -1)
    calls.clear()
    runs = sgd.run_sgd(setup, seeds=[1, 2], to=0.5, max_steps=30, m0=np.array([[0.6]]), progress=calls.append)
    assert calls == [30, 30] and list(runs.escape_step) == [0, 0]


@pytest.mark.parametrize("A", [
    np.array([[4.0, 2.0, 0.4], [2.0, 5.0, 1.0], [0.4, 1.0, 3.0]]),
    np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 2.0]]),  # PSD, rank 2
    np.zeros((2, 2)),
])
def test_cholesky_factor_of_a_psd_matrix(A):
    """L lower triangular with LLᵀ = A; a zero pivot (the PSD part) gives a zero column."""
    L = np.full(A.shape, 7.0)
    sgd_exact._cholesky(A, L)
    np.testing.assert_allclose(L @ L.T, A, atol=1e-14)
    assert np.all(np.triu(L, 1) == 0)
    if np.linalg.matrix_rank(A) == len(A):
        np.testing.assert_allclose(L, np.linalg.cholesky(A), rtol=1e-14)


def test_the_exact_sampler_stays_inside_its_arrays(bounds_checked):
    """Fifty steps of the two-timescale exact sampler with a Hermite refit of degree 3 at q = 2
    (10 basis functions, more than q), every index checked: no write past a scratch array."""
    out = bounds_checked("""
        from gfverify.numerics import online_sgd as sgd
        from gfverify.theory.hermite import h
        from gfverify.theory.links import link_variables
        z1, z2 = link_variables(2)
        setup = sgd.SgdSetup(model="two-timescale", link=h(2, z1) + h(2, z2), q=2, d=12, lr=1e-3,
                             refit="hermite", degree=3, n_fit=40)
        runs = sgd.run_sgd(setup, seeds=[1], to=None, max_steps=50)
        print(len(setup.student.betas), runs.escape_step[0])
    """)
    assert out.split() == ["10", "-1"]  # ten basis functions; fifty steps, no early stop
