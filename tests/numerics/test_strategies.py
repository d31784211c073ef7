"""The user-facing hypothesis strategies produce what they promise (checked exactly)."""

import importlib
import sys

import numpy as np
import pytest
import sympy
from hypothesis import given, settings

from gfverify.numerics.random_matrices import haar_stiefel, psd_leq_identity
from gfverify.numerics.strategies import (
    contractions,
    multivariate_polynomial_links,
    orthogonal_matrices,
    psd_pairs,
    stiefel_matrices,
)
from gfverify.theory.averaging import validate_contraction, validate_stiefel

Z1, Z2 = sympy.symbols("z1 z2")
FAST = settings(max_examples=25, deadline=None)


@FAST
@given(orthogonal_matrices(3))
def test_orthogonal_exact(Q):
    assert Q.T * Q == sympy.eye(3)


@FAST
@given(contractions(2))
def test_contractions_are_contractions(N):
    validate_contraction(N)  # raises InputError otherwise
    assert all(e.is_Rational for e in N)


def test_contractions_reach_the_boundary():
    """Some drawn contractions have ‖N‖_op = 1 exactly (det(I − NᵀN) = 0)."""
    seen = []

    @settings(max_examples=60, deadline=None)
    @given(contractions(2))
    def collect(N):
        seen.append((sympy.eye(2) - N.T * N).det() == 0)
    collect()
    assert any(seen) and not all(seen)


@FAST
@given(stiefel_matrices(5, 2))
def test_stiefel_exact(W):
    validate_stiefel(W)
    assert W.T * W == sympy.eye(2)


@FAST
@given(psd_pairs(2))
def test_psd_pairs_ordered(pair):
    G, Gp = pair
    assert psd_leq_identity(G) and psd_leq_identity(Gp)
    assert psd_leq_identity(Gp - G)  # G ⪯ G' (Gp − G ⪰ 0 and ⪯ I since Gp ⪯ I, G ⪰ 0)


@FAST
@given(multivariate_polynomial_links([Z1, Z2], max_degree=3))
def test_polynomial_links(p):
    assert sympy.Poly(p, Z1, Z2).total_degree() <= 3


def test_haar_sign_fix():
    """With the sign fix M11 = (W*ᵀW)_11 is symmetric about 0 (unfixed QR forces it negative
    for W* = e_1 with numpy's Householder convention); a binomial test at 5 standard deviations."""
    rng = np.random.default_rng(7)
    draws = 4000
    positive = sum(haar_stiefel(6, 2, rng)[0, 0] > 0 for _ in range(draws))
    assert abs(positive - draws / 2) < 5 * np.sqrt(draws) / 2
    unfixed = sum(np.linalg.qr(rng.standard_normal((6, 2)))[0][0, 0] > 0 for _ in range(200))
    assert unfixed == 0  # the trap the sign fix removes


def test_without_hypothesis_the_import_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # None in sys.modules: import fails
    monkeypatch.delitem(sys.modules, "gfverify.numerics.strategies")
    with pytest.raises(ImportError, match=r"pip install 'gfverify\[test\]'"):
        importlib.import_module("gfverify.numerics.strategies")
