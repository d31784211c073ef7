"""``gfverify simulate``: the JSON contract, agreement with the API, one-line errors (exit 2), and
the must-show run (slow): exact-sampler escape times against the reduced ODE from each start."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy

from gfverify.claims.cli import main
from gfverify.numerics.online_sgd import SgdSetup, run_sgd
from gfverify.numerics.timescales import escape_time
from gfverify.theory.hermite import Z, h
from gfverify.theory.reduced_ode import M, single_index_rhs

KEYS = {"model", "d", "q", "lr", "batch", "sampler", "runs", "median_escape_time", "seconds"}
RUN_KEYS = {"seed", "m0", "escape_step", "escape_time"}


def _json(capsys, *argv):
    code = main(["simulate", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_json_contract_single_index(capsys):
    rec = _json(capsys, "--model", "planted", "--alphas", "2:1", "--d", "100", "--lr", "1e-3",
                "--seeds", "4", "--to", "0.5")
    assert set(rec) == KEYS
    assert (rec["model"], rec["d"], rec["q"], rec["lr"], rec["batch"], rec["sampler"]) == \
        ("planted", 100, 1, 0.001, 1, "exact")
    assert [r["seed"] for r in rec["runs"]] == [0, 1, 2, 3]
    for r in rec["runs"]:
        assert set(r) == RUN_KEYS and isinstance(r["m0"], float) and abs(r["m0"]) < 1
        assert r["escape_time"] == pytest.approx(1e-3 * r["escape_step"], rel=1e-12)
    times = sorted(r["escape_time"] for r in rec["runs"])
    assert rec["median_escape_time"] == pytest.approx((times[1] + times[2]) / 2)
    api = run_sgd(SgdSetup(model="planted", link=h(2, Z), q=1, d=100, lr=1e-3), seeds=range(4), to=0.5,
                  max_steps=10**7)
    assert [r["escape_step"] for r in rec["runs"]] == api.escape_step.tolist()
    assert [r["m0"] for r in rec["runs"]] == api.m0[:, 0, 0].tolist()


def test_json_matrix_start_and_unescaped_runs(capsys):
    rec = _json(capsys, "--model", "two-timescale", "--link", "z1*z2 + z1**2", "--q", "2", "--d", "50",
                "--lr", "1e-3", "--seeds", "3", "--max-steps", "10", "--to", "0.9")
    assert rec["q"] == 2 and rec["median_escape_time"] is None
    for r in rec["runs"]:
        assert np.shape(r["m0"]) == (2, 2) and np.linalg.norm(r["m0"], 2) < 1
        assert r["escape_step"] is None and r["escape_time"] is None


def test_full_sampler_and_batch(capsys):
    # the two runs escape at steps 214 and 279 (escape times 1.07 and 1.40 at η = 5e-3); a run
    # still below 0.4 after 10⁴ steps is broken, not slow (the default cap of 10⁷ steps would
    # keep the full sampler busy for most of an hour, and a mutation run would time out)
    rec = _json(capsys, "--model", "planted", "--alphas", "2:1", "--d", "40", "--lr", "5e-3", "--seeds",
                "2", "--batch", "8", "--sampler", "full", "--to", "0.4", "--max-steps", "10000")
    assert rec["sampler"] == "full" and rec["batch"] == 8
    assert all(r["escape_step"] is not None for r in rec["runs"])


def test_non_polynomial_link(capsys):
    rec = _json(capsys, "--model", "planted", "--link", "tanh(z) + Max(z, 0)", "--d", "100", "--lr", "1e-3",
                "--seeds", "2", "--max-steps", "20000")  # escapes at steps 348 and 444
    assert all(r["escape_step"] is not None for r in rec["runs"])
    code = main(["simulate", "--model", "two-timescale", "--link", "tanh(z)", "--d", "100", "--lr", "1e-3"])
    assert code == 2 and "polynomial links only" in capsys.readouterr().err


def test_table_output(capsys):
    code = main(["simulate", "--model", "planted", "--alphas", "3:1", "--d", "30", "--lr", "1e-3",
                 "--seeds", "2", "--max-steps", "100"])
    out, err = capsys.readouterr()
    assert code == 0 and "escape_step" in out and "not escaped" in out and err == ""


@pytest.mark.parametrize("argv, message", [
    (["--alphas", "2:1", "--d", "1e20", "--lr", "1e-3"], "--d must lie in [3, 1e+15]"),
    (["--alphas", "2:1", "--d", "1e5", "--lr", "1e-3", "--seeds", "1000"], "the run is too large"),
    (["--link", "exp(z**2)", "--d", "100", "--lr", "1e-3"], "not in L²(γ)"),
    (["--alphas", "2:1", "--d", "100", "--lr", "1e-3", "--q", "2"], "--alphas gives a single-index link"),
])
def test_bad_input_is_one_line(capsys, argv, message):
    code = main(["simulate", "--model", "planted", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("gfverify: error: ") and message in err


def _ode_time(m0: float) -> float:
    """T(|m0| → 1/2) of the planted ODE for f* = h_2 (even: ±m are the same predictor)."""
    rhs = single_index_rhs({2: 1}, M, planted=True)
    return float(escape_time(rhs, M, sympy.Rational(abs(m0)), sympy.Rational(1, 2)))


@pytest.mark.slow
def test_must_show_planted_escape_times_follow_the_ode(capsys):
    """Issue 11's must-show: for |m0| ≥ 0.3/√d every run's escape time within 10% of the reduced
    ODE's from its own m0."""
    rec = _json(capsys, "--model", "planted", "--alphas", "2:1", "--d", "100", "--lr", "1e-6", "--seeds",
                "32", "--to", "0.5", "--sampler", "exact")
    far = [r for r in rec["runs"] if abs(r["m0"]) >= 0.3 / math.sqrt(100)]
    assert len(far) >= 20
    for r in far:
        assert r["escape_time"] is not None
        assert abs(r["escape_time"] / _ode_time(r["m0"]) - 1) < 0.10, r


@pytest.mark.slow
def test_dask_cluster_gives_the_same_runs(capsys):
    argv = ["--model", "planted", "--alphas", "2:1", "--d", "100", "--lr", "1e-3", "--seeds", "5"]
    here = _json(capsys, *argv, "--scheduler", "local")
    there = _json(capsys, *argv, "--scheduler", "cluster")
    assert here["runs"] == there["runs"]


def test_progress_bar_path_gives_the_same_runs():
    from gfverify.claims.commands.simulate import simulate

    setup = SgdSetup(model="planted", link=h(2, Z), q=1, d=100, lr=1e-3)
    quiet = simulate(setup, 3, 0.5, 10**5, "exact")
    shown = simulate(setup, 3, 0.5, 10**5, "exact", show_progress=True)
    assert quiet["runs"] == shown["runs"]
