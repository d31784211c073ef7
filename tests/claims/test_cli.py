"""The command-line contract of DESIGN.md: exit codes, JSON shapes, one-line errors."""

import json
import subprocess
import sys

import pytest

from gfverify.claims import cli, registry
from gfverify.claims.model import Claim, Evidence
from gfverify.claims.sources import source


def run(*args):
    return subprocess.run([sys.executable, "-m", "gfverify", *args], capture_output=True, text=True)


def test_list_and_unknown_command():
    assert run("list").returncode == 0
    bad = run("frobnicate")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_verify_json_shape_on_stdout():
    out = run("verify", "--only", "hermite.coefficients.relu", "--json", "-")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) == {"claims", "summary"}
    (claim,) = payload["claims"]
    assert set(claim) >= {"id", "kind", "statement", "source", "status", "residual", "tolerance",
                          "digits", "method", "seconds"}
    assert claim["status"] == "PASS" and payload["summary"]["ok"] is True


def test_verify_selects_nothing_is_usage_error():
    out = run("verify", "--only", "no.such.claim*")
    assert out.returncode == 2 and out.stderr.startswith("gfverify: error:")


@pytest.mark.parametrize("args", [("hermite", "exp(z**2)", "--kmax", "3"),
                                  ("hermite", "tanh(y)", "--kmax", "3"),
                                  ("hermite", "tanh(", "--kmax", "3"),
                                  ("hermite", "tanh(z)", "--kmax", "3", "--dps", "5"),
                                  ("hermite", "tanh(z)", "--kmax", "-1"),
                                  ("hermite", "1/z", "--kmax", "3"),
                                  ("show", "no.such.claim")])
def test_bad_input_is_one_line_and_exit_2(args):
    out = run(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in out.stderr


def test_hermite_json_numeric_and_exact():
    out = run("hermite", "tanh(z)", "--kmax", "10", "--dps", "20", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert set(payload) >= {"expr", "convention", "dps", "alpha"}
    assert payload["dps"] == 20 and len(payload["alpha"]) == 11
    assert payload["alpha"][0] == "0" and payload["alpha"][2] == "0"  # tanh is odd: exact zeros
    assert payload["alpha"][1].startswith("0.60570550960215882558")  # = E[sech^2 z], Stein
    assert payload["digits_agreed"] >= 20
    relu = json.loads(run("hermite", "Max(z, 0)", "--kmax", "3", "--json").stdout)
    assert relu["alpha"][1] == "0.5" and relu["alpha"][3] == "0" and relu["digits_agreed"] is None


def test_show_prints_derivation_and_evidence():
    out = run("show", "hermite.parseval.poly")
    assert out.returncode == 0 and "PASS" in out.stdout


def _fake(status_holds: bool, kind: str = "identity") -> Claim:
    return Claim(id=f"fake.{kind}.{status_holds}", statement="s", latex="", source=source("C1"), kind=kind,
                 check=lambda dps: Evidence(holds=status_holds, residual=1, tolerance=0, method="m"))


def test_failing_claim_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(registry, "all_claims", lambda: [_fake(True), _fake(False)])
    assert cli.main(["verify", "--jobs", "1", "--json", "-"]) == 1
    statuses = [c["status"] for c in json.loads(capsys.readouterr().out)["claims"]]
    assert statuses == ["PASS", "FAIL"]


def test_negative_control_passes_only_when_shown_false(monkeypatch, capsys):
    monkeypatch.setattr(registry, "all_claims",
                        lambda: [_fake(False, "negative-control"), _fake(True, "negative-control")])
    assert cli.main(["verify", "--jobs", "1", "--json", "-"]) == 1
    statuses = [c["status"] for c in json.loads(capsys.readouterr().out)["claims"]]
    assert statuses == ["PASS", "FAIL"]
