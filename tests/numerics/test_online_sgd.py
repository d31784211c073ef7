"""Online SGD (numerics/online_sgd.py): links in the Hermite basis against sympy, the oracle link
against the Wick engine, the Haar law of the start, the escape criterion, the run API and the
d-dimensional sampler lowering the loss."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from scipy import stats

from gfverify.errors import InputError
from gfverify.numerics import online_sgd as sgd
from gfverify.numerics.random_matrices import haar_stiefel
from gfverify.theory.averaging import average
from gfverify.theory.hermite import Z, h, hermite_coefficients
from gfverify.theory.links import link_variables

Z1, Z2 = link_variables(2)


def test_hermite_expansion_single_index_matches_the_theory_layer():
    f = Z**5 - 2 * Z**3 + Z / 3 + 7
    got = sgd.hermite_expansion(f, [Z])
    want = hermite_coefficients(f, 5)
    assert {k[0]: v for k, v in got.items()} == {k: v for k, v in enumerate(want) if v != 0}


def test_hermite_expansion_multi_index_reconstructs_the_polynomial():
    f = Z1**3 * Z2 - 2 * Z1 * Z2**2 + Z2 + 1
    coeffs = sgd.hermite_expansion(f, [Z1, Z2])
    back = sum(c * h(b[0], Z1) * h(b[1], Z2) for b, c in coeffs.items())
    assert sympy.expand(back - f) == 0


@pytest.mark.parametrize("f, q", [(h(3, Z) + Z**2 / 2, 1), (Z1**2 * Z2 - Z1 + Z1 * Z2**3, 2)])
def test_compiled_value_and_gradient_match_sympy(f, q):
    zs = link_variables(q)
    link = sgd.fixed_link(f, q)
    pts = np.random.default_rng(0).standard_normal((20, q))
    vals, grads = link.evaluate(pts, link.coefficients(np.zeros((q, q))), link.degree)
    fn = sympy.lambdify(zs, f)
    dfn = [sympy.lambdify(zs, sympy.diff(f, z)) for z in zs]
    for p, v, g in zip(pts, vals, grads):
        assert v == pytest.approx(fn(*p), rel=1e-12, abs=1e-12)
        assert g == pytest.approx([d(*p) for d in dfn], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("f, q, M", [
    (h(2, Z) + h(3, Z) / 2, 1, [[sympy.Rational(2, 5)]]),
    (Z1**2 * Z2 + Z1 * Z2 - Z2**3, 2, [[sympy.Rational(1, 3), sympy.Rational(-1, 4)],
                                      [sympy.Rational(1, 5), sympy.Rational(1, 2)]]),
])
def test_oracle_link_is_the_average_A_MT(f, q, M):
    """Route 1: the generating-function coefficients of online_sgd.oracle_link evaluated at M.
    Route 2: the Wick engine's A_{Mᵀ} f* expanded in the Hermite basis."""
    zs = link_variables(q)
    M = sympy.Matrix(M)
    oracle = sgd.oracle_link(f, q)
    got = dict(zip(map(tuple, oracle.betas), oracle.coefficients(np.array(M, dtype=float))))
    want = sgd.hermite_expansion(average(f, M.T, zs), zs)
    for beta in set(got) | set(want):
        assert got.get(beta, 0.0) == pytest.approx(float(want.get(beta, 0)), abs=1e-13)


def test_haar_overlap_law_q1_both_routes_match_the_beta_law():
    """m(0)² ~ Beta(1/2, (d−1)/2) for a coordinate of a uniform point of the sphere; the d-free
    draw and the top entry of haar_stiefel both pass a KS test against it (false alarm 1e-3 each)."""
    d, n = 30, 4000
    free = np.array([sgd.haar_overlap(d, 1, np.random.default_rng(s))[0, 0] for s in range(n)])
    full = np.array([haar_stiefel(d, 1, np.random.default_rng(10**6 + s))[0, 0] for s in range(n)])
    law = stats.beta(0.5, (d - 1) / 2)
    assert stats.kstest(free**2, law.cdf).pvalue > 1e-3
    assert stats.kstest(full**2, law.cdf).pvalue > 1e-3
    assert abs(np.mean(free > 0) - 0.5) < 4 * 0.5 / np.sqrt(n)
    # the test can fail: the d-free draw at the wrong dimension is rejected
    wrong = np.array([sgd.haar_overlap(2 * d, 1, np.random.default_rng(s))[0, 0] for s in range(n)])
    assert stats.kstest(wrong**2, law.cdf).pvalue < 1e-6


def test_haar_overlap_law_q2_matches_haar_stiefel():
    """Two-sample KS tests (false alarm 1e-3 each) on the entries and the singular values of M(0)."""
    d, n = 12, 3000
    free = np.array([sgd.haar_overlap(d, 2, np.random.default_rng(s)) for s in range(n)])
    full = np.array([haar_stiefel(d, 2, np.random.default_rng(10**6 + s))[:2] for s in range(n)])
    top = np.linalg.svd(free)[1][:, 0], np.linalg.svd(full)[1][:, 0]
    for a, b in ((free[:, 0, 0], full[:, 0, 0]), (free[:, 1, 0], full[:, 1, 0]),
                 (free[:, 0, 1], full[:, 0, 1]), top):
        assert stats.ks_2samp(a, b).pvalue > 1e-3


def _setup(**kw):
    base = dict(model="planted", link=h(3, Z), q=1, d=20, lr=1e-2)
    return sgd.SgdSetup(**{**base, **kw})


def test_escape_criterion():
    odd, even = _setup(link=h(3, Z)), _setup(link=h(2, Z))
    for setup, m, want in ((odd, 0.6, True), (odd, -0.6, False), (even, -0.6, True), (even, 0.4, False)):
        power, level = setup.escape_level(0.5)
        assert sgd.escaped(np.array([[m]]), True, 0.5, power, level) is want
    power, level = _setup(model="two-timescale").escape_level(0.5)
    assert sgd.escaped(np.array([[-0.6]]), False, 0.5, power, level)
    zero, inf = np.zeros(1), np.inf
    assert sgd.escaped(np.array([[0.1, 0.9], [0.8, 0.0]]), True, 0.5, zero, inf)
    assert sgd.escaped(np.array([[0.1, 0.9], [0.8, 0.0]]), False, 0.5, zero, inf)  # G = MMᵀ learned
    assert not sgd.escaped(np.array([[0.1, 0.9], [0.1, 0.2]]), False, 0.5, zero, inf)
    assert not sgd.escaped(np.array([[0.9, 0.0], [0.0, -0.9]]), True, 0.5, zero, inf)
    assert sgd.escaped(np.array([[0.9, 0.0], [0.0, -0.9]]), False, 0.5, zero, inf)


def test_run_api_shapes_and_reproducibility():
    setup = _setup(model="two-timescale", link=Z1 * Z2 + h(2, Z1), q=2, d=12, lr=0.05)
    a = sgd.run_sgd(setup, seeds=[3, 4, 5], to=0.5, max_steps=300, sampler="exact", record_every=100)
    b = sgd.run_sgd(setup, seeds=[5], to=0.5, max_steps=300, sampler="exact", record_every=100)
    assert a.m0.shape == (3, 2, 2) and a.path.shape == (3, 4, 2, 2) and a.escape_step.shape == (3,)
    np.testing.assert_array_equal(a.m0[2], b.m0[0])
    assert a.escape_step[2] == b.escape_step[0]
    np.testing.assert_array_equal(a.final[2], b.final[0])
    np.testing.assert_array_equal(a.path[:, 0], a.m0)
    hit = a.escape_step >= 0
    np.testing.assert_allclose(a.escape_time[hit], 0.05 * a.escape_step[hit])
    assert np.all(np.isnan(a.escape_time[~hit]))


def test_common_start_and_no_early_stop():
    m0 = np.array([[0.2]])
    runs = sgd.run_sgd(_setup(), seeds=[0, 1], to=None, max_steps=50, sampler="full", m0=m0,
                       record_every=10)
    assert np.all(runs.m0 == 0.2) and np.all(runs.escape_step == -1)
    assert runs.path.shape == (2, 6, 1, 1) and not np.isnan(runs.path).any()


def _planted_loss(alphas: dict[int, float], m: np.ndarray) -> np.ndarray:
    return sum(a**2 * (1 - m**k) for k, a in alphas.items())


def test_full_sampler_reduces_the_loss():
    """Planted h_2 from m(0) = 0.2 at d = 30: 1500 steps of η = 0.002 (ODE time 3) lower the
    planted loss of every one of 6 runs below a quarter of the start (the ODE reaches m > 0.99)."""
    setup = _setup(link=h(2, Z), d=30, lr=0.002)
    runs = sgd.run_sgd(setup, seeds=range(6), to=None, max_steps=1500, sampler="full", m0=np.array([[0.2]]))
    start, end = _planted_loss({2: 1}, 0.2), _planted_loss({2: 1}, runs.final[:, 0, 0])
    assert np.all(end < start / 4)


def test_full_sampler_keeps_the_frame_orthonormal_and_two_timescale_learns():
    setup = _setup(model="two-timescale", link=Z1 * Z2 + h(2, Z1), q=2, d=16, lr=0.02)
    m0 = np.array([[0.3, 0.1], [-0.1, 0.25]])
    runs = sgd.run_sgd(setup, seeds=range(4), to=None, max_steps=300, sampler="full", m0=m0)
    G0 = m0 @ m0.T
    for M in runs.final:
        assert np.linalg.svd(M)[1].max() <= 1 + 1e-12
        assert np.trace(M @ M.T) > 2 * np.trace(G0)


@pytest.mark.parametrize("f, q", [
    (sympy.tanh(Z) + sympy.Max(Z, 0) * sympy.exp(-Z**2 / 3), 1),
    (sympy.sin(Z) ** 3 / (1 + Z**2) + sympy.erf(Z / 2) - sympy.Abs(Z) ** sympy.Rational(3, 2), 1),
    (sympy.tanh(Z1) * Z2 + sympy.Min(Z1, Z2) + sympy.atan(Z1 * Z2) + sympy.log(1 + sympy.exp(Z2)), 2),
])
def test_compiled_program_matches_sympy(f, q):
    """A non-polynomial link compiled to a program: value and gradient against sympy (mpmath) at
    20 points (kinks have measure zero)."""
    zs = link_variables(q)
    link = sgd.fixed_link(f, q)
    assert not link.polynomial
    pts = np.random.default_rng(1).standard_normal((20, q))
    vals, grads = link.evaluate(pts, np.zeros(0), 1)
    fn = sympy.lambdify(zs, f, "mpmath")
    dfn = [sympy.lambdify(zs, sympy.diff(f, z), "mpmath") for z in zs]
    for p, v, g in zip(pts, vals, grads):
        assert v == pytest.approx(float(fn(*p)), rel=1e-13, abs=1e-13)
        assert g == pytest.approx([float(sympy.re(d(*p))) for d in dfn], rel=1e-12, abs=1e-12)


def test_numeric_alphas_of_a_program_link():
    """The Gauss–Hermite α_k of a compiled polynomial-as-program (z³ via Abs and a power) equal its
    exact Hermite coefficients, and tanh's α_1 = E[1 − tanh²] to 1e-12 (quadrature of the derivative)."""
    cube = sgd.fixed_link(sympy.Abs(Z) ** 3 * sympy.sign(Z), 1)
    alphas = sgd.numeric_alphas(cube)
    want = [float(a) for a in hermite_coefficients(Z**3, 3)]
    np.testing.assert_allclose(alphas[:4], want, atol=1e-12)
    assert np.abs(alphas[4:]).max() < 1e-12
    x, w = np.polynomial.hermite_e.hermegauss(200)
    slope = (w * (1 - np.tanh(x) ** 2)).sum() / np.sqrt(2 * np.pi)
    assert sgd.numeric_alphas(sgd.fixed_link(sympy.tanh(Z), 1))[1] == pytest.approx(slope, abs=1e-12)


@pytest.mark.parametrize("kw, message", [
    (dict(model="teacher"), "model must be one of"),
    (dict(d=2), "d >= 3q"),
    (dict(link=Z1 * Z2, q=2, d=5), "d >= 3q = 6"),
    (dict(lr=0.0), "step size"),
    (dict(model="two-timescale", link=sympy.tanh(Z)), "polynomial links only"),
    (dict(model="two-timescale", refit="hermite", link=sympy.tanh(Z)), "needs its degree"),
    (dict(link=sympy.exp(Z**2)), "not in L²"),
    (dict(link=Z**13), "degree at most"),
    (dict(model="two-timescale", refit="hermite", degree=5, n_fit=3), "more than the n_fit"),
])
def test_bad_setups(kw, message):
    with pytest.raises(InputError, match=message):
        _setup(**kw)


def test_uncompilable_link():
    with pytest.raises(InputError, match="cannot compile"):
        sgd.compile_program(sympy.gamma(Z), [Z])


def test_bad_runs():
    with pytest.raises(InputError, match="seeds"):
        sgd.run_sgd(_setup(), seeds=[-1])
    with pytest.raises(InputError, match="‖m0‖_op < 1"):
        sgd.run_sgd(_setup(), seeds=[0], m0=np.array([[1.0]]))
    with pytest.raises(InputError, match="sampler"):
        sgd.run_sgd(_setup(), seeds=[0], sampler="approximate")


@pytest.mark.parametrize("f", [
    sympy.cos(Z) + sympy.tan(Z / 3),
    sympy.sinh(Z / 2) * sympy.cosh(Z) + sympy.erfc(Z / 3),
    Z**2 * sympy.exp(-Z**2 / 4) + sympy.Max(Z, Z**2 / 3) + 1 / (1 + Z**2),
])
def test_every_unary_opcode_matches_sympy(f):
    """The opcodes not in the test above (cos, tan, sinh, cosh, erfc, a power 1/(·)), value and
    gradient against sympy (mpmath) at 20 points."""
    link = sgd.fixed_link(f, 1)
    pts = np.random.default_rng(2).standard_normal((20, 1))
    vals, grads = link.evaluate(pts, np.zeros(0), 1)
    fn, dfn = sympy.lambdify(Z, f, "mpmath"), sympy.lambdify(Z, sympy.diff(f, Z), "mpmath")
    for p, v, g in zip(pts[:, 0], vals, grads[:, 0]):
        assert v == pytest.approx(float(fn(p)), rel=1e-13, abs=1e-13)
        assert g == pytest.approx(float(dfn(p)), rel=1e-12, abs=1e-12)


def test_sign_heaviside_and_abs_take_their_documented_values_and_derivatives():
    """sign and Heaviside have derivative 0 almost everywhere, Heaviside(0) = ½, |z|' = sign z
    (0 at z = 0)."""
    pts = np.array([[-1.5], [0.0], [0.7]])
    for f, want, dwant in ((sympy.sign(Z), [-1, 0, 1], [0, 0, 0]),
                           (sympy.Heaviside(Z), [0, 0.5, 1], [0, 0, 0]),
                           (sympy.Abs(Z), [1.5, 0, 0.7], [-1, 0, 1])):
        ops, args = sgd.compile_program(f, [Z])
        link = sgd.HermiteLink(np.zeros((0, 1), dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0),
                               np.zeros((0, 1), dtype=np.int64), ops, args)
        vals, grads = link.evaluate(pts, np.zeros(0), 1)
        np.testing.assert_array_equal(vals, want)
        np.testing.assert_array_equal(grads[:, 0], dwant)


def test_basis_link_is_every_multi_index_up_to_the_degree():
    """The fit basis of degree K in q variables: the C(K + q, q) multi-indices |β| ≤ K, h_0 first,
    ordered by degree; each evaluates to Π h_{β_i}(z_i)."""
    link = sgd.basis_link(3, 2)
    assert len(link.betas) == 10 and tuple(link.betas[0]) == (0, 0)
    assert sorted(map(tuple, link.betas)) == sorted((a, b) for a in range(4) for b in range(4) if a + b <= 3)
    assert list(link.betas.sum(axis=1)) == sorted(link.betas.sum(axis=1))
    z = np.array([0.3, -1.1])
    out, table = np.empty(10), np.empty((2, 4))
    sgd.basis_row(z, link.betas, table, out)
    for beta, v in zip(link.betas, out):
        want = float((h(int(beta[0]), Z) * h(int(beta[1]), Z1)).subs({Z: z[0], Z1: z[1]}))
        assert v == pytest.approx(want, rel=1e-13, abs=1e-14)


def test_escape_level_is_the_planted_loss_polynomial():
    """q = 1: power[k] = α_k² and level = Σ α_k² m1^k (for f* = h_1 + 2h_3: 1·m1 + 4·m1³); m1 = ∞
    gives level ∞; q ≥ 2 has no level (∞)."""
    setup = _setup(link=h(1, Z) + 2 * h(3, Z))
    power, level = setup.escape_level(0.5)
    np.testing.assert_allclose(power, [0, 1, 0, 4], atol=1e-14)
    assert level == pytest.approx(0.5 + 4 * 0.125, rel=1e-14)
    assert setup.escape_level(np.inf)[1] == np.inf
    assert _setup(link=Z1 * Z2, q=2, d=12).escape_level(0.5)[1] == np.inf
    tanh = _setup(link=sympy.tanh(Z))
    power, level = tanh.escape_level(0.5)
    assert level == pytest.approx(float(np.polyval(power[::-1], 0.5)), rel=1e-14) and power[1] > 0.3
    assert tanh.escape_level(np.inf)[1] == np.inf
    # Mehler: Σ α_k² m1^k = E[tanh x tanh y] at correlation m1, here a certified 2-D integral
    from gfverify.numerics.certified_kernels import strip_correlation
    kernel = float(strip_correlation(sympy.tanh(Z), sympy.tanh(Z), sympy.Rational(1, 2), 15, z=Z).mid())
    assert level == pytest.approx(kernel, rel=1e-9)


@pytest.mark.parametrize("sampler", ["exact", "full"])
def test_progress_counts_every_step_slot(sampler):
    """progress(k) sums to len(seeds) · max_steps whether the runs stop early or not."""
    for to in (None, 0.3):
        calls = []
        sgd.run_sgd(_setup(link=h(1, Z), d=12, lr=0.05), seeds=[0, 1, 2], to=to, max_steps=200,
                    sampler=sampler, progress=calls.append)
        assert sum(calls) == 3 * 200


def test_escape_steps_of_a_common_start_already_escaped_are_zero():
    """A start above the target is escaped at step 0 (escape time 0)."""
    for sampler in ("exact", "full"):
        runs = sgd.run_sgd(_setup(), seeds=[0, 1], to=0.5, max_steps=10, sampler=sampler,
                           m0=np.array([[0.6]]))
        np.testing.assert_array_equal(runs.escape_step, [0, 0])
        np.testing.assert_array_equal(runs.escape_time, [0.0, 0.0])


@pytest.mark.parametrize("kw, message", [
    (dict(refit="newton"), "refit must be one of"),
    (dict(q=0, d=20), "q must lie in"),
    (dict(q=5, d=20), "q must lie in"),
    (dict(lr=float("inf")), "step size"),
    (dict(lr=-0.1), "step size"),
    (dict(batch=0), "batch size must be at least 1"),
    (dict(n_fit=0), "n_fit"),
    (dict(n_fit=10**5 + 1), "n_fit"),
    (dict(refit_every=0), "refit_every"),
    (dict(model="two-timescale", refit="hermite", degree=0), "refit degree must lie in"),
    (dict(model="two-timescale", refit="hermite", degree=13), "refit degree must lie in"),
    (dict(link=Z * Z1), "has variables"),
    (dict(link=sympy.Integer(0)), "the link is zero"),
    (dict(link=sympy.exp(sympy.I * Z)), "not a finite real number"),
])
def test_more_bad_setups(kw, message):
    with pytest.raises(InputError, match=message):
        _setup(**kw)


def test_edges_of_the_valid_setups_are_accepted():
    """d = 3q, q = MAX_Q, batch 1, n_fit = MAX_FIT, refit degree MAX_DEGREE are valid."""
    _setup(d=3)
    _setup(link=Z1 * Z2, q=sgd.MAX_Q, d=3 * sgd.MAX_Q)
    _setup(model="two-timescale", refit="hermite", degree=sgd.MAX_DEGREE, n_fit=sgd.MAX_FIT)
    assert _setup(model="two-timescale", refit="hermite").student.degree == 3


def test_a_complex_constant_does_not_compile():
    with pytest.raises(InputError, match="not a finite real number"):
        sgd.compile_program(sympy.tanh(Z) + sympy.I, [Z])


def test_a_program_longer_than_the_limit_is_refused():
    f = sympy.Add(*[sympy.tanh(Z + k) for k in range(sgd.MAX_PROGRAM // 3 + 1)])
    with pytest.raises(InputError, match="too long"):
        sgd.compile_program(f, [Z])


def test_more_bad_runs():
    with pytest.raises(InputError, match="max_steps"):
        sgd.run_sgd(_setup(), seeds=[0], max_steps=-1)
    with pytest.raises(InputError, match="record_every"):
        sgd.run_sgd(_setup(), seeds=[0], record_every=0)
    for to in (0, 1.5, -0.2):
        with pytest.raises(InputError, match="target m1"):
            sgd.run_sgd(_setup(), seeds=[0], to=to)
    with pytest.raises(InputError, match="seeds"):
        sgd.run_sgd(_setup(), seeds=[])
    with pytest.raises(InputError, match="seeds"):
        sgd.run_sgd(_setup(), seeds=[2**32])
    sgd.run_sgd(_setup(), seeds=[2**32 - 1], to=1, max_steps=0)


def test_full_start_given_the_top_block_is_a_stiefel_point():
    """W = [m0; P(I − m0ᵀm0)^{1/2}] with P a Haar frame: WᵀW = m0ᵀm0 + (I − m0ᵀm0) = I and the top
    block is m0; without m0, a Haar point of St(d, q)."""
    setup = _setup(model="two-timescale", link=Z1 * Z2, q=2, d=9)
    m0 = np.array([[0.3, -0.2], [0.1, 0.6]])
    W = sgd._full_start(setup, 4, m0)
    assert W.shape == (9, 2)
    np.testing.assert_array_equal(W[:2], m0)
    np.testing.assert_allclose(W.T @ W, np.eye(2), atol=1e-14)
    free = sgd._full_start(setup, 4, None)
    np.testing.assert_allclose(free.T @ free, np.eye(2), atol=1e-14)


@pytest.mark.parametrize("q", [2, 3])
def test_polar_retraction_is_the_orthogonal_polar_factor(q):
    """V(VᵀV)^{-1/2} = UQᵀ for the thin SVD V = UΣQᵀ (the nearest matrix with orthonormal columns);
    q = 3 too, since LAPACK's 2×2 eigenvector matrices can be symmetric reflections."""
    V = np.random.default_rng(6).standard_normal((3, 7, q))
    P = sgd._polar(V)
    for v, p in zip(V, P):
        U, _, Qt = np.linalg.svd(v, full_matrices=False)
        np.testing.assert_allclose(p, U @ Qt, atol=1e-13)


def test_hermite_refit_recovers_a_link_in_its_span():
    """At W = W* the refit's inputs are the teacher's own, so least squares on h_β, |β| ≤ 3, of a
    noise-free f* = h3(z1) − ½z1z2 + 2 recovers its Hermite coefficients (zero residual)."""
    link = h(3, Z1) - Z1 * Z2 / 2 + 2
    setup = _setup(model="two-timescale", refit="hermite", link=link, q=2, d=6, n_fit=200)
    W = np.zeros((1, 6, 2))
    W[0, :2] = np.eye(2)
    got = sgd._fit(setup, W, [np.random.default_rng(0)])[0]
    want = sgd.hermite_expansion(link, [Z1, Z2])
    for beta, c in zip(map(tuple, setup.student.betas), got):
        assert c == pytest.approx(float(want.get(beta, 0)), abs=1e-10)
    assert setup.fits and not _setup(model="two-timescale").fits and not _setup().fits


def test_degrees_and_kmax():
    """kmax = the largest degree of teacher and student, at least 1; a program link has degree 0."""
    assert _setup(link=h(3, Z)).kmax == 3
    assert _setup(model="two-timescale", refit="hermite", link=h(2, Z), degree=5).kmax == 5
    assert _setup(link=sympy.tanh(Z)).kmax == 1 and _setup(link=sympy.tanh(Z)).target.degree == 0
    assert sgd.oracle_link(Z1 * Z2**2, 2).degree == 3


def test_hermite_refit_of_degree_one_fits_a_linear_link():
    """The least refit degree, 1, is a valid setup (basis h_0, h_1): at W = W* the least squares
    of the noise-free f* = 3h_1 − ½ on h_0, h_1 is exact, (−½, 3); an explicit degree 1 is accepted
    for a non-polynomial link too."""
    setup = _setup(model="two-timescale", refit="hermite", link=3 * Z - sympy.Rational(1, 2), d=6, n_fit=20)
    assert [tuple(b) for b in setup.student.betas] == [(0,), (1,)]
    W = np.zeros((1, 6, 1))
    W[0, 0, 0] = 1.0
    np.testing.assert_allclose(sgd._fit(setup, W, [np.random.default_rng(0)])[0], [-0.5, 3.0], atol=1e-12)
    tanh = _setup(model="two-timescale", refit="hermite", link=sympy.tanh(Z), degree=1)
    assert [tuple(b) for b in tanh.student.betas] == [(0,), (1,)]


def test_hermite_tables_stay_inside_their_scratch():
    """basis_row and link_value_grad fill h_0..h_K of each coordinate into a (q, K + 1) table and
    write nothing past it (compiled code has no bounds checks): a table that is a view into a wider
    array leaves the columns beyond it untouched, and the values are still h_β(z) and f(z)."""
    f = h(3, Z1) * h(1, Z2) - Z2**2 + Z1
    link = sgd.fixed_link(f, 2)
    z = np.array([0.4, -1.3])
    K = link.degree
    for run in ("basis", "link"):
        wide = np.full((2, K + 4), np.nan)
        table = wide[:, :K + 1]
        if run == "basis":
            out = np.empty(len(link.betas))
            sgd.basis_row(z, link.betas, table, out)
            want = [float(h(int(b[0]), Z1).subs(Z1, z[0]) * h(int(b[1]), Z2).subs(Z2, z[1]))
                    for b in link.betas]
            np.testing.assert_allclose(out, want, rtol=1e-13)
        else:
            grad, stack = np.empty(2), np.empty((1, 3))
            value = sgd.link_value_grad(z, link.betas, link.coefficients(np.zeros((2, 2))), link.ops,
                                        link.args, table, stack, grad)
            assert value == pytest.approx(float(f.subs({Z1: z[0], Z2: z[1]})), rel=1e-13)
        assert np.isnan(wide[:, K + 1:]).all(), run


def test_a_compiled_link_is_all_program_and_no_hermite_terms():
    """A non-polynomial link is evaluated by its compiled program alone: its Hermite tables are
    empty (every β row would need a coefficient), and the pure-Python run of link_value_grad,
    which checks every index, gives f and ∇f of f = tanh(z1) z2 (sympy's values)."""
    f = sympy.tanh(Z1) * Z2
    link = sgd.fixed_link(f, 2)
    coefs = link.coefficients(np.zeros((2, 2)))
    assert link.betas.shape == (len(coefs), 2) == (0, 2)
    z = np.array([0.4, -1.3])
    grad, table, stack = np.empty(2), np.empty((2, 1)), np.empty((len(link.ops) + 1, 3))
    value = sgd.link_value_grad.py_func(z, link.betas, coefs, link.ops, link.args, table, stack, grad)
    at = {Z1: z[0], Z2: z[1]}
    assert value == pytest.approx(float(f.subs(at)), rel=1e-14)
    np.testing.assert_allclose(grad, [float(f.diff(v).subs(at)) for v in (Z1, Z2)], rtol=1e-14)
