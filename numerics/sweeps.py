"""Independent tasks of a sweep (d × seeds × links) run on Dask: an embedded local cluster by
default, or an existing cluster given by its scheduler address. The results come back in the
order of the tasks, whatever order the workers finish them in."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from multiprocessing import resource_tracker
from typing import Any

from gfverify.errors import InputError

#: Seconds allowed to reach a scheduler given by address (TCP connect, then the Dask handshake).
CONNECT_TIMEOUT = 5
#: Seconds a Ctrl-C during an embedded cluster's start waits for the start to give up.
START_ABORT = 3


class TaskError(RuntimeError):
    """A task of a sweep raised: the message names the task (its index and value); the task's
    own exception is ``__cause__``."""

    def __init__(self, index: int, task: Any, exc: BaseException) -> None:
        shown = repr(task)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(f"task {index} ({shown}) raised {type(exc).__name__}: {exc}")
        self.index, self.task = index, task


def default_workers() -> int:
    """Workers of an embedded cluster: one per core available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def map_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], scheduler: str | None = None,
              workers: int | None = None,
              on_result: Callable[[int, Any], None] | None = None) -> list[Any]:
    """``[fn(t) for t in tasks]`` computed on Dask. ``scheduler=None`` starts a local cluster of
    ``workers`` processes (default: one per core; one task per worker at a time) for this call,
    ``scheduler="local"`` runs in this process without Dask, any other value is the address of
    a running scheduler (``tcp://host:8786`` or ``host:8786``; InputError if it cannot be
    reached). ``on_result(index, result)`` is called as each task finishes (completion order).
    A task that raises stops the sweep with :class:`TaskError`; ``fn`` and the tasks must be
    picklable (cloudpickle). An interrupt cancels the tasks and closes the client and cluster."""
    tasks = list(tasks)
    if scheduler == "local" or not tasks:
        results = []
        for i, task in enumerate(tasks):
            try:
                results.append(fn(task))
            except Exception as exc:
                raise TaskError(i, task, exc) from exc
            if on_result is not None:
                on_result(i, results[-1])
        return results
    with _client(scheduler, workers) as client:
        return _gather(client, fn, tasks, on_result)


def _gather(client, fn: Callable, tasks: list, on_result: Callable | None) -> list:
    import cloudpickle
    from dask.distributed import as_completed

    # fn and the task travel as one cloudpickle blob, unpacked inside the task: an object the
    # worker cannot unpickle (e.g. from a module it cannot import) is then this task's error,
    # not a worker whose message stream breaks while the task waits forever
    futures = client.map(_call, [cloudpickle.dumps((fn, t)) for t in tasks], pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(tasks)
    try:
        for future in as_completed(futures):
            i = index[future.key]
            if future.status == "error":
                exc = future.exception()
                raise TaskError(i, tasks[i], exc) from exc
            results[i] = future.result()
            if on_result is not None:
                on_result(i, results[i])
    except BaseException:
        client.cancel(futures, force=True)
        raise
    return results


def _call(blob: bytes) -> Any:
    """Worker side of a task: ``fn(task)`` from their cloudpickle blob."""
    import cloudpickle

    fn, task = cloudpickle.loads(blob)
    return fn(task)


#: Environment of the embedded workers: a worker configures distributed's loggers from it when it
#: imports distributed, before any of its start-up or shutdown lines ("Start worker", "Batched Comm
#: Closed", ...); at CRITICAL they stay off the terminal, like those of this process.
_WORKER_ENV = {"DASK_DISTRIBUTED__LOGGING": repr(dict.fromkeys(
    ("distributed", "distributed.client", "distributed.gc", "tornado.application"), "critical"))}


def _silence() -> Callable[[], None]:
    """Set distributed's loggers and their handlers to CRITICAL, keeping its log records (start-up,
    shutdown, lost connections) off stderr; returns the function that restores them. distributed
    is imported first, because its import sets its loggers to INFO."""
    import distributed  # noqa: F401

    logger = logging.getLogger("distributed")
    saved = [(logger, logger.level)] + [(handler, handler.level) for handler in logger.handlers]
    for item, _ in saved:
        item.setLevel(logging.CRITICAL)

    def restore() -> None:
        for item, level in saved:
            item.setLevel(level)
    return restore


def _set_environment(values: dict[str, str]) -> Callable[[], None]:
    """Update ``os.environ`` by ``values`` (processes spawned from now on inherit them); returns the
    function that restores it."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)

    def restore() -> None:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return restore


def _in_thread(fn: Callable[[], Any], name: str) -> dict[str, Any]:
    """Start ``fn()`` in a daemon thread with SIGINT blocked there, and so in every thread and
    process it starts. Its outcome lands in the returned dict (``"value"`` or ``"error"``), whose
    ``"done"`` event is set when ``fn`` has returned or raised. A Ctrl-C is then handled by this
    process's main thread alone: it never interrupts ``fn`` halfway through an import (CPython
    then exits by SIGINT instead of the command's exit code)."""
    outcome: dict[str, Any] = {"done": threading.Event()}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc
        finally:
            outcome["done"].set()

    thread = threading.Thread(target=run, name=name, daemon=True)
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return outcome


def _result(outcome: dict[str, Any]) -> Any:
    """Wait for a thread of :func:`_in_thread` and return or raise its outcome. The wait is on an
    event, interruptible by Ctrl-C (a ``Thread.join`` interrupted by Ctrl-C marks the thread as
    finished while it still runs, in Python 3.11)."""
    while not outcome["done"].wait(0.05):
        pass
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client on an embedded local cluster (``scheduler=None``) or on ``scheduler``."""
    if scheduler is None:
        with _embedded(workers or default_workers()) as client:
            yield client
        return
    address = _check_reachable(scheduler)
    _result(_in_thread(_import_distributed, "gfverify-import-distributed"))
    with ExitStack() as quiet:
        quiet.callback(_silence())
        from dask.distributed import Client

        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"Dask scheduler {scheduler!r}: no Dask scheduler answers there "
                             f"({' '.join(str(exc).split())})") from None
        with client:
            yield client


def _import_distributed() -> None:
    """Import distributed (seconds on a loaded machine), for :func:`_in_thread`."""
    import dask.distributed  # noqa: F401


@contextmanager
def _embedded(n: int) -> Iterator[Any]:
    """A client on a local cluster of ``n`` worker processes, one thread each, no dashboard (its
    HTTP server listens on a free loopback port, not 8787), all logs silenced. distributed is
    imported and the cluster built in a helper thread (:func:`_in_thread`) whose SIGINT stays
    blocked in the workers it spawns: a Ctrl-C at the terminal reaches the whole process group,
    but only this process acts on it. On Ctrl-C the workers are killed at once (a running task
    cannot be interrupted; their nannies are told not to restart them), then the client and the
    cluster are closed."""
    # multiprocessing starts its resource tracker on first use with SIGINT blocked and unblocks it
    # afterwards in the calling thread; started here, it leaves the cluster's threads blocked
    resource_tracker.ensure_running()
    before = set(multiprocessing.active_children())
    quiet, environment = ExitStack(), ExitStack()
    aborted = threading.Event()

    def build() -> tuple:
        from dask.distributed import Client, LocalCluster

        quiet.callback(_silence())
        environment.callback(_set_environment(_WORKER_ENV))
        if aborted.is_set():  # a Ctrl-C came during the import
            return ()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                               silence_logs=logging.CRITICAL)
        try:
            return cluster, Client(cluster)
        except BaseException:
            cluster.close()
            raise

    built = _in_thread(build, "gfverify-cluster-start")
    try:
        try:
            cluster, client = _result(built)
        except KeyboardInterrupt:
            aborted.set()
            _abort_start(built, before)
            raise
        try:
            yield client
        except KeyboardInterrupt:
            for nanny in list(cluster.workers.values()):
                nanny.close_gracefully(reason="interrupted")  # no restart of a killed worker
            _kill_spawned(before)
            raise
        finally:
            client.close()
            cluster.close()
    except KeyboardInterrupt:
        # distributed stays silent: what is left of an aborted start closes at exit
        quiet.pop_all()  # (callbacks only: dropped, never run)
        raise
    finally:
        if built["done"].is_set():
            environment.close()
            quiet.close()


def _abort_start(built: dict[str, Any], before: set) -> None:
    """A Ctrl-C while the embedded cluster starts: wait for the start to give up (at most
    START_ABORT seconds), killing each worker as it appears, and close the cluster if it got
    built after all."""
    deadline = time.monotonic() + START_ABORT
    while not built["done"].wait(0.05) and time.monotonic() < deadline:
        _kill_spawned(before)
    _kill_spawned(before)
    for part in reversed(built.get("value", ())):
        part.close()


def _kill_spawned(before: set) -> None:
    """SIGKILL every child process started since ``before`` was taken (the embedded workers)."""
    for process in set(multiprocessing.active_children()) - before:
        process.kill()


def _check_reachable(scheduler: str) -> str:
    """``tcp://host:port`` for ``scheduler`` once a plain socket has seen a Dask handshake there
    (a refused or unresolvable address fails at once instead of after Dask's connection
    retries; a port where something else listens fails after CONNECT_TIMEOUT instead of
    leaving the Dask client waiting forever)."""
    where = f"Dask scheduler {scheduler!r}"
    rest = scheduler.removeprefix("tcp://")
    if "://" in rest:
        raise InputError(f"{where}: only tcp:// addresses are supported (tcp://host:port)")
    host, sep, port_text = rest.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError(f"{where}: expected tcp://host:port with a port in 1..65535")
    try:
        sock = socket.create_connection((host, int(port_text)), timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"{where}: cannot connect ({reason})") from None
    head = b""
    with sock:
        try:  # a Dask server speaks first: 8 bytes, the little-endian length of its handshake
            while len(head) < 8 and (chunk := sock.recv(8 - len(head))):
                head += chunk
        except OSError:
            pass
    if len(head) < 8 or not 0 < int.from_bytes(head, "little") < 2**20:
        raise InputError(f"{where}: no Dask scheduler answers there "
                         f"(no Dask handshake within {CONNECT_TIMEOUT} s)")
    return f"tcp://{rest}" if ":" not in host else f"tcp://[{host}]:{port_text}"
