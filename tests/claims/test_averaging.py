"""Claims on the averaging operator (A1–A3): `gfverify show A.semigroup` prints the derivation
and the evidence; the negative control is shown false with a margin."""

import subprocess
import sys

from gfverify.claims.statements import averaging as A


def test_show_semigroup_prints_derivation_and_evidence():
    out = subprocess.run([sys.executable, "-m", "gfverify", "show", "A.semigroup"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "derivation" in out.stdout and "I − (NM)ᵀ(NM)" in out.stdout
    assert '"status": "PASS"' in out.stdout


def test_negative_control_is_false_with_a_margin():
    ev = A.semigroup_order(30)
    assert ev.holds is False and ev.residual != 0
