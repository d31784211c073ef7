"""`gfverify average` and `gfverify loss`: exact answers against hand-derived closed forms and
one-line errors for a non-contraction N or a non-orthonormal W*."""

import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "gfverify", *args], capture_output=True, text=True)


def test_average_mehler_in_q1():
    # A_rho z^3 = (rho z)^3 + 3 rho z (1 - rho^2): rho = 1/2 gives z^3/8 + 9z/8
    out = json.loads(run("average", "z**3", "--N", "[[1/2]]", "--json").stdout)
    assert out["average"] == "z**3/8 + 9*z/8"


def test_losses_of_he3():
    # ||He_3||^2 = 6: reduced 3(1 - m^6), planted 6(1 - m^3) at m = 3/5
    out = json.loads(run("loss", "z**3 - 3*z", "--wstar", "[[1],[0],[0]]",
                         "--w", "[[3/5],[4/5],[0]]", "--json").stdout)
    assert out["reduced_loss"] == "44688/15625" and out["planted_loss"] == "588/125"
    assert out["reduced_loss_decimal"] == "2.860032"


@pytest.mark.parametrize("args", [
    ("average", "z1*z2", "--N", "[[1, 1], [0, 1]]"),          # ||N||_op = golden ratio > 1
    ("average", "z1*z2", "--N", "[[1, 1], [0"),               # malformed
    ("average", "tanh(z)", "--N", "[[1/2]]"),                 # not a polynomial
    ("loss", "z", "--wstar", "[[1],[1],[0]]", "--w", "[[1],[0],[0]]"),   # W* not orthonormal
    ("loss", "z", "--wstar", "[[1, 0]]", "--w", "[[1, 0]]"),            # d < q
])
def test_bad_matrices_are_one_line(args):
    out = run(*args)
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr
