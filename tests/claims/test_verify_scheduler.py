"""``gfverify verify --scheduler``: the claims as Dask tasks give the same verdicts as the default
process pool, and Ctrl-C still stops the command at once with the cluster closed."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from gfverify.claims import cli

ONLY = "hermite.*.poly"


def _verdicts(capsys, *options: str) -> list[tuple[str, str]]:
    assert cli.main(["verify", "--only", ONLY, "--json", "-", *options]) == 0
    return [(c["id"], c["status"]) for c in json.loads(capsys.readouterr().out)["claims"]]


def test_external_scheduler_gives_the_verdicts_of_the_pool(capsys):
    from dask.distributed import LocalCluster

    reference = _verdicts(capsys, "--jobs", "1")
    assert len(reference) >= 2
    # one worker thread: claims share mpmath's global precision, so never two at once in a process
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                      host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      scheduler_kwargs={"dashboard": False}) as cluster:
        assert _verdicts(capsys, "--scheduler", cluster.scheduler_address) == reference


def _group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_embedded_workers_block_sigint():
    """The embedded workers are born with SIGINT blocked (a Ctrl-C at the terminal reaches the whole
    process group, and only the parent may act on it), while this process keeps its handler."""
    from gfverify.numerics import sweeps

    masks = sweeps.map_tasks(functools.partial(signal.pthread_sigmask, signal.SIG_BLOCK), [[], []], workers=2)
    assert all(signal.SIGINT in mask for mask in masks)
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.slow
@pytest.mark.timing
def test_sigint_stops_verify_on_an_embedded_cluster(tmp_path):
    """As test_cli.test_sigint_stops_verify, with the claims running on an embedded Dask cluster:
    exit 130 within 5 s, one line, no output file or temporary, no worker left. The whole quick
    tier is selected so that it is still running when the signal comes (the Hermite claims alone
    finished within the 6 s wait on an idle machine)."""
    proc = subprocess.Popen([sys.executable, "-m", "gfverify", "verify", "--only", "*",
                             "--jobs", "2", "--scheduler", "cluster", "--json", str(tmp_path / "out.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not os.listdir(tmp_path) and time.monotonic() < deadline:  # the temporary: claims start
        time.sleep(0.1)
    time.sleep(6)  # the cluster is up and the workers run claims
    assert proc.poll() is None, "the selection finished before the signal"
    os.killpg(proc.pid, signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - start < 5
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["gfverify: interrupted (Ctrl-C)"]
    assert os.listdir(tmp_path) == []
    assert _group_gone(proc.pid, 3), "a Dask worker outlived the command"
