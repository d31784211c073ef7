"""map_tasks on Dask: results in task order and equal to the in-process map (a two-worker
embedded cluster, and an external cluster given by its address), task errors naming the task,
bad scheduler addresses refused at once with one InputError."""

from __future__ import annotations

import math
import os
import socket
import sys
import threading
import time
from fractions import Fraction

import cloudpickle
import dask.distributed
import pytest

from gfverify.errors import InputError
from gfverify.numerics import sweeps

# the workers cannot import this test module (pytest's importlib mode): ship its functions
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def harmonic(n: int) -> Fraction:
    """H_n = Σ_{k ≤ n} 1/k exactly; the later tasks sleep less, so they finish first."""
    time.sleep(0.05 * (6 - n) if n < 6 else 0)
    return sum((Fraction(1, k) for k in range(1, n + 1)), Fraction(0))


TASKS = [1, 2, 3, 4, 5, 6, 12]


def test_two_worker_embedded_cluster_keeps_task_order_and_is_quiet(capfd):
    done = []
    start = time.perf_counter()
    got = sweeps.map_tasks(harmonic, TASKS, workers=2, on_result=lambda i, r: done.append(i))
    seconds = time.perf_counter() - start
    assert got == sweeps.map_tasks(harmonic, TASKS, scheduler="local")
    assert got[-1] == Fraction(86021, 27720)  # H_12, the classical value
    assert sorted(done) == list(range(len(TASKS)))
    out, err = capfd.readouterr()
    assert out == "" and err == "", "distributed wrote to the terminal"
    assert seconds < 30


@pytest.fixture(scope="module")
def external():
    """A running cluster that map_tasks reaches only through its scheduler address."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False}) as cluster:
        yield cluster.scheduler_address


def test_external_scheduler_by_address(external):
    assert external.startswith("tcp://127.0.0.1:")
    assert sweeps.map_tasks(harmonic, TASKS, scheduler=external) == [harmonic(n) for n in TASKS]
    bare = external.removeprefix("tcp://")  # host:port, as a user types it
    assert sweeps.map_tasks(math.isqrt, [0, 15, 16], scheduler=bare) == [0, 3, 4]


@pytest.mark.parametrize("where", ["local", "external"])
def test_a_raising_task_is_named(where, external):
    scheduler = external if where == "external" else "local"
    message = r"^task 2 \(-4\) raised ValueError: math domain error$"
    with pytest.raises(sweeps.TaskError, match=message) as info:
        sweeps.map_tasks(math.sqrt, [4, 9, -4, 16], scheduler=scheduler)
    assert info.value.index == 2 and info.value.task == -4
    assert isinstance(info.value.__cause__, ValueError)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("address, message", [
    ("nonsense", "expected tcp://host:port"),
    ("", "expected tcp://host:port"),
    ("tcp://127.0.0.1:99999", "port in 1..65535"),
    ("tls://127.0.0.1:8786", "only tcp:// addresses"),
    ("tcp://no-such-host.invalid:8786", "cannot connect"),
    ("refused", "cannot connect (Connection refused)"),
])
@pytest.mark.timing
def test_bad_address_is_one_input_error_at_once(address, message):
    if address == "refused":
        address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.perf_counter()
    with pytest.raises(InputError) as info:
        sweeps.map_tasks(abs, [1], scheduler=address)
    assert time.perf_counter() - start < 2
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.timing
def test_a_port_that_is_not_a_scheduler(monkeypatch):
    """Something listens but never speaks Dask: refused after CONNECT_TIMEOUT, not a hang."""
    monkeypatch.setattr(sweeps, "CONNECT_TIMEOUT", 1)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        start = time.perf_counter()
        with pytest.raises(InputError, match="no Dask scheduler answers there"):
            sweeps.map_tasks(abs, [1], scheduler=f"127.0.0.1:{server.getsockname()[1]}")
    assert time.perf_counter() - start < 5


def test_default_workers_is_the_cores():
    assert sweeps.default_workers() == len(os.sched_getaffinity(0))


@pytest.mark.timing
def test_nothing_to_do_starts_no_cluster():
    start = time.perf_counter()
    assert sweeps.map_tasks(abs, []) == []
    assert time.perf_counter() - start < 0.5


def test_local_results_are_reported_in_order():
    seen = []
    assert sweeps.map_tasks(math.isqrt, [4, 10, 1], scheduler="local",
                            on_result=lambda i, r: seen.append((i, r))) == [2, 3, 1]
    assert seen == [(0, 2), (1, 3), (2, 1)]


def test_default_workers_without_affinity_is_the_cpu_count(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert sweeps.default_workers() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert sweeps.default_workers() == 1


def test_a_long_task_is_shortened_in_the_message():
    task = list(range(100))
    error = sweeps.TaskError(4, task, KeyError("x"))
    shown = str(error).split(" (", 1)[1].rsplit(") raised", 1)[0]
    assert len(shown) == 80 and shown == repr(task)[:77] + "..."
    assert str(error).endswith("raised KeyError: 'x'") and error.index == 4 and error.task is task
    short = sweeps.TaskError(0, "a" * 78, ValueError("v"))  # repr is 80 characters: shown whole
    assert f"({'a' * 78!r})" in str(short)


def _speaker(head: bytes):
    """A listening socket that sends ``head`` to whoever connects (one connection), and its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.sendall(head)
            time.sleep(0.5)

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.parametrize("length, ok", [(0, False), (2**20, False), (1, True), (2**20 - 1, True)])
def test_a_handshake_length_must_be_plausible(monkeypatch, length, ok):
    """A Dask server opens with the 8-byte little-endian length of its handshake, 0 < length < 2^20."""
    monkeypatch.setattr(sweeps, "CONNECT_TIMEOUT", 1)
    server, port = _speaker(length.to_bytes(8, "little"))
    with server:
        if ok:
            assert sweeps._check_reachable(f"127.0.0.1:{port}") == f"tcp://127.0.0.1:{port}"
        else:
            with pytest.raises(InputError, match="no Dask handshake"):
                sweeps._check_reachable(f"tcp://127.0.0.1:{port}")


def test_a_scheduler_that_shakes_hands_but_refuses_the_client(monkeypatch):
    """The handshake was seen but Dask's client cannot connect: one InputError line (whitespace of
    the client's message collapsed)."""
    def refuse(address, timeout):
        raise OSError(f"Timed out trying\n   to connect to {address} after {timeout}")

    monkeypatch.setattr(sweeps, "_check_reachable", lambda scheduler: "tcp://127.0.0.1:1")
    monkeypatch.setattr(dask.distributed, "Client", refuse)
    with pytest.raises(InputError) as info:
        sweeps.map_tasks(abs, [1], scheduler="127.0.0.1:1")
    message = str(info.value)
    assert message.startswith("Dask scheduler '127.0.0.1:1': no Dask scheduler answers there (Timed out")
    assert "\n" not in message and "  " not in message


def test_a_cluster_that_fails_to_start_raises_its_error(monkeypatch):
    """LocalCluster's own exception, raised in the helper thread, reaches the caller unchanged."""
    def broken(**kwargs):
        raise ValueError("no ports left")

    monkeypatch.setattr(dask.distributed, "LocalCluster", broken)
    with pytest.raises(ValueError, match="no ports left"):
        sweeps.map_tasks(abs, [1, 2], workers=1)
