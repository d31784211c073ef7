"""[B] 1–3 claims: each passes, and a plausible wrong formula injected into the same check FAILS
(α and 1 − α swapped in the homotopy's singular values, P replaced by I or by DDᵀ in the output
kernel, the adapted kernel P used for the standard flow)."""

import pytest

from gfverify.claims import registry
from gfverify.theory import interpolation as theory

DPS = 20


def _status(cid: str) -> str:
    result = registry.get(cid).run(DPS)
    return result.status


@pytest.mark.parametrize("cid", ["B.chain_rule_standard", "B.chain_rule_adapted", "B.homotopy_factorization",
                                 "B.output_kernel_symbolic", "B.homotopy_zeros", "B.output_kernel"])
def test_claims_pass(cid):
    assert _status(cid) == "PASS"


def test_swapped_alpha_in_the_singular_values_fails(monkeypatch):
    lam = theory.homotopy_eigenvalue()
    monkeypatch.setattr(theory, "homotopy_eigenvalue", lambda: lam.subs(theory.ALPHA, 1 - theory.ALPHA))
    assert _status("B.homotopy_factorization") == "FAIL"


@pytest.mark.parametrize("cid", ["B.output_kernel", "B.output_kernel_symbolic"])
def test_projector_replaced_by_identity_fails(monkeypatch, cid):
    # "P = I" holds at full rank only; the graph model is rank deficient
    monkeypatch.setattr(theory, "output_kernel", lambda D, P, a: (1 - a) * D * D.T + a * (P * 0 + _eye(P)))
    assert _status(cid) == "FAIL"


def test_swapped_kernel_weights_fail(monkeypatch):
    monkeypatch.setattr(theory, "output_kernel", lambda D, P, a: a * D * D.T + (1 - a) * P)
    assert _status("B.output_kernel") == "FAIL"


def test_adapted_kernel_for_the_standard_flow_fails(monkeypatch):
    monkeypatch.setattr(theory, "output_kernel", lambda D, P, a: P)
    assert _status("B.chain_rule_standard") == "FAIL"


def _eye(P):
    import mpmath
    return mpmath.eye(P.rows)
