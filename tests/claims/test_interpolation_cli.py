"""``gfverify interpolate``: JSON shape, the straight line for alpha = 1, a curved path for
alpha = 0, and one-line errors (exit 2) for bad input. Plus the [B] claims are registered and
the cheap ones pass."""

import json

import pytest

from gfverify.claims import registry
from gfverify.claims.cli import main

FAST = ["interpolate", "--widths", "1,4,1", "--n", "2", "--seed", "2", "--dps", "20", "--to", "0.9"]


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_shape_and_straight_line(capsys):
    code, out, err = _run(capsys, FAST + ["--alpha", "1", "--json"])
    assert code == 0
    record = json.loads(out)
    assert set(record) == {"widths", "n", "seed", "alpha", "max_distance_from_segment", "final_cost",
                           "digits_agreed", "rank"}
    assert record["widths"] == [1, 4, 1] and record["rank"] == 2 and record["alpha"] == "1"
    assert isinstance(record["max_distance_from_segment"], str) and isinstance(record["final_cost"], str)
    assert float(record["max_distance_from_segment"]) < 1e-20
    assert record["digits_agreed"] >= 15


def test_standard_flow_curves(capsys):
    code, out, _ = _run(capsys, FAST + ["--alpha", "0", "--json"])
    assert code == 0
    assert float(json.loads(out)["max_distance_from_segment"]) > 1e-3


def test_table_output(capsys):
    code, out, _ = _run(capsys, FAST + ["--alpha", "1/2"])
    assert code == 0 and "max distance" in out


@pytest.mark.parametrize("extra,message", [
    (["--widths", "1,1,2", "--n", "4"], "K = 6 parameters < QN = 8"),
    (["--widths", "2,x,2"], "widths must be comma-separated"),
    (["--widths", "2"], "at least two"),
    (["--widths", "2,8,2", "--alpha", "1.5"], "--alpha must lie in [0, 1]"),
    (["--widths", "2,8,2", "--alpha", "-0.1"], "--alpha must lie in [0, 1]"),
    (["--widths", "2,8,2", "--alpha", "half"], "--alpha must be a decimal"),
    (["--widths", "2,8,2", "--to", "1"], "--to must lie in (0, 1)"),
])
def test_bad_input_is_one_line_exit_2(capsys, extra, message):
    code, out, err = _run(capsys, ["interpolate"] + extra + ["--json"])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_rank_drop_during_the_flow_is_one_line_exit_2(capsys):
    # a 1-1-1 tanh net on 3 points (K = 4 >= QN = 3) must send its output weight through 0
    code, out, err = _run(capsys, ["interpolate", "--widths", "1,1,1", "--n", "3", "--seed", "0",
                                   "--dps", "20", "--json"])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "loses rank along the flow near t = 0.008" in err


def test_bad_dps_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["interpolate", "--widths", "2,8,2", "--dps", "3"])
    assert exc.value.code == 2


def test_claims_registered():
    ids = {c.id for c in registry.all_claims()}
    for cid in ("B.adapted_linear_interpolation", "B.cost_decay", "B.homotopy_zeros", "B.output_kernel",
                "B.duhamel", "B.duhamel_bound", "B.linear_equality", "B.cross_entropy_conservation",
                "B.cross_entropy_limit", "B.standard_flow_curves", "B.underparam_stalls",
                "B.one_hot_no_limit"):
        assert cid in ids


@pytest.mark.parametrize("cid", ["B.homotopy_zeros", "B.output_kernel", "B.full_rank_solution",
                                 "B.underparam_stalls"])
def test_cheap_claims_pass(cid):
    result = registry.get(cid).run(20)
    assert result.status == "PASS", result.note


def test_report_writes_the_trajectory_figure(tmp_path, capsys):
    code, out, err = _run(capsys, ["interpolate", "--widths", "1,4,1", "--n", "2", "--seed", "2",
                                   "--dps", "15", "--to", "0.9", "--report", str(tmp_path), "--json"])
    assert code == 0 and json.loads(out)["rank"] == 2
    png = tmp_path / "interpolation_trajectories.png"
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
