"""The command-line contract of DESIGN.md: exit codes, JSON shapes, one-line errors."""

import json
import os
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
    # ReLU's coefficients are certified (ball enclosures of the quadrature side): CERTIFIED, a success
    assert claim["status"] == "CERTIFIED" and payload["summary"]["ok"] is True


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


def _default_sigint() -> None:
    """In the child before exec: SIGINT back to its default, so that Python installs its
    KeyboardInterrupt handler even when the test run itself has SIGINT ignored."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _leftovers(directory):
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.timing
def test_sigint_stops_verify(tmp_path, jobs):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops `verify` within
    5 s, exit 130 with one line, the workers gone and no output file or temporary left. The
    child starts with SIGINT at its default: a test run launched in the background of a
    non-interactive shell inherits SIGINT ignored, and so would the command."""
    import os
    import signal
    import time
    proc = subprocess.Popen([sys.executable, "-m", "gfverify", "verify", "--only", "hermite*",
                             "--jobs", jobs, "--json", str(tmp_path / "out.json"),
                             "--report", str(tmp_path / "report")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 60
    while not _leftovers(tmp_path) and time.monotonic() < deadline:  # the temporaries: claims run
        time.sleep(0.1)
    time.sleep(1.5)
    assert proc.poll() is None, "the selection finished before the signal"
    os.killpg(proc.pid, signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 5
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["gfverify: interrupted (Ctrl-C)"]
    assert _leftovers(tmp_path) == []
    with pytest.raises(ProcessLookupError):  # no worker outlives the command
        os.killpg(proc.pid, 0)


def test_outputs_are_written_whole_or_not_at_all(tmp_path):
    from gfverify.claims import outputs
    from gfverify.errors import InputError

    target = tmp_path / "r.json"
    with outputs.atomic_file(str(target), "--json") as path:
        assert _leftovers(tmp_path) == [path.name] and path.name != "r.json"
        path.write_text("{}")
    assert target.read_text() == "{}" and _leftovers(tmp_path) == ["r.json"]
    with pytest.raises(KeyboardInterrupt), outputs.atomic_file(str(target), "--json") as path:
        path.write_text("{half")
        raise KeyboardInterrupt
    assert target.read_text() == "{}" and _leftovers(tmp_path) == ["r.json"]
    report = tmp_path / "report"
    for round_ in range(2):  # a new directory, then files renamed into the existing one
        with outputs.atomic_directory(str(report), "--report") as directory:
            (directory / "claims.md").write_text(f"round {round_}")
            (directory / "figs").mkdir()
            (directory / "figs" / "a.png").write_text("png")
        assert (report / "claims.md").read_text() == f"round {round_}"
        assert (report / "figs" / "a.png").exists() and _leftovers(tmp_path) == ["r.json", "report"]
    with pytest.raises(InputError, match="is a directory"), outputs.atomic_file(str(report), "--json"):
        pass
    with pytest.raises(InputError, match="not a directory"), \
            outputs.atomic_directory(str(target), "--report"):
        pass


def test_verify_json_file_is_written_in_place(tmp_path):
    out = run("verify", "--only", "hermite.coefficients.relu", "--jobs", "1", "--json",
              str(tmp_path / "out.json"))
    assert out.returncode == 0, out.stderr
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["ok"] is True
    assert _leftovers(tmp_path) == ["out.json"]


@pytest.mark.parametrize("d", ["1e52", pytest.param("1e60", marks=pytest.mark.slow)])
def test_escape_at_huge_dimension_gives_the_time(d):
    """d ≥ 10^52 puts m0 = d^-1/2 next to the root of R at 0: the time, not a false refusal
    ("the right-hand side vanishes", from an absolute margin around m0, before issue 10)."""
    out = run("escape", "--alphas", "3:1", "--d", d, "--to", "0.5", "--dps", "20", "--json")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["digits_agreed"] >= 10
    assert record["T_closed_form"].startswith("83333333333333333333")


@pytest.mark.timing
def test_hermite_closed_form_time_limit_falls_back():
    import time

    from gfverify.claims.commands import hermite

    start = time.monotonic()
    with pytest.raises(hermite._TooSlow), hermite._time_limit(0.2):
        while True:
            pass
    assert time.monotonic() - start < 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_output_to_a_full_device_is_one_error_line():
    """Standard output that cannot be written (ENOSPC) gets one line and exit 2, no traceback."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "gfverify", "hermite", "z**2", "--kmax", "2"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["gfverify: error: cannot write the output: No space left on device"]
