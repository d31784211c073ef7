"""The semigroup claims: `gfverify show A.semigroup` prints the derivation and the evidence;
the negative control is shown false; a wrong reduced-loss formula would be caught."""

import subprocess
import sys

from gfverify.claims import registry
from gfverify.claims.statements import semigroup as S


def test_show_semigroup_prints_derivation_and_evidence():
    out = subprocess.run([sys.executable, "-m", "gfverify", "show", "A.semigroup"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "derivation" in out.stdout and "I − (NM)ᵀ(NM)" in out.stdout
    assert '"status": "PASS"' in out.stdout


def test_negative_control_is_false_with_a_margin():
    result = registry.get("A.semigroup_order").run(30)
    assert result.status == "PASS" and result.evidence.holds is False
    assert result.evidence.residual != 0


def test_reduced_loss_route_discriminates_G_from_MtM():
    """The finite-d least-squares loss matches ψ(MMᵀ), not ψ(MᵀM) (a wrong formula fails)."""
    W_star, W = S._stiefel_pair(6, 2)
    M = W_star.T * W
    ls = S._finite_d_optimal_loss(S.FSTAR_2, 2, W_star, W, 3)
    assert ls == S._reduced_loss(S.FSTAR_2, 2, M)
    assert ls != S._reduced_loss(S.FSTAR_2, 2, M.T)
