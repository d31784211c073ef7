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
from contextlib import contextmanager
from typing import Any

from gfverify.errors import InputError

#: Seconds allowed to reach a scheduler given by address (TCP connect, then the Dask handshake).
CONNECT_TIMEOUT = 5


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


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep distributed's log records (start-up, shutdown, lost connections) off stderr."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _client(scheduler: str | None, workers: int | None):
    """A Dask client on an embedded local cluster (``scheduler=None``) or on ``scheduler``."""
    with _quiet():
        from dask.distributed import Client

        if scheduler is None:
            with _embedded(workers or default_workers()) as cluster, Client(cluster) as client:
                yield client
            return
        address = _check_reachable(scheduler)
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"Dask scheduler {scheduler!r}: no Dask scheduler answers there "
                             f"({' '.join(str(exc).split())})") from None
        with client:
            yield client


@contextmanager
def _embedded(n: int):
    """A local cluster of ``n`` worker processes, one thread each, no dashboard (its HTTP server
    listens on a free loopback port, not 8787), worker logs silenced. The workers are spawned
    with SIGINT ignored (the disposition is inherited), so a Ctrl-C at the terminal reaches only
    this process, which kills them (a running task cannot be interrupted) and closes the
    cluster. The cluster is built in a helper thread so that the wait stays interruptible;
    this process ignores SIGINT only until the workers are spawned."""
    from dask.distributed import LocalCluster

    before = set(multiprocessing.active_children())
    built: dict[str, Any] = {}

    def build() -> None:
        try:
            built["cluster"] = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False},
                silence_logs=logging.CRITICAL)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            built["error"] = exc

    def spawned() -> set:
        return set(multiprocessing.active_children()) - before

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    builder = threading.Thread(target=build, name="gfverify-cluster-start", daemon=True)
    try:
        builder.start()
        while builder.is_alive() and len(spawned()) < n:
            time.sleep(0.01)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    try:
        while builder.is_alive():
            builder.join(0.05)
        if "error" in built:
            raise built["error"]
        yield built["cluster"]
    except KeyboardInterrupt:
        for process in spawned():
            process.kill()
        raise
    finally:
        builder.join()
        if "cluster" in built:
            built["cluster"].close()


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
