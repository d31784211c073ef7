"""Independent tasks of a sweep (d × seeds × links) run on Dask: an embedded local cluster by
default, or an existing cluster given by its scheduler address. The results come back in the
order of the tasks, whatever order the workers finish them in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gfverify.errors import InputError


def map_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], scheduler: str | None = None,
              workers: int | None = None) -> list[Any]:
    """``[fn(t) for t in tasks]`` computed on Dask: ``scheduler=None`` starts a local cluster of
    ``workers`` processes (one task per worker at a time) for this call, ``scheduler="local"``
    runs in this process without Dask, any other value is the address of a running scheduler
    (``tcp://host:8786``). ``fn`` and the tasks must be picklable."""
    tasks = list(tasks)
    if scheduler == "local" or not tasks:
        return [fn(t) for t in tasks]
    from dask.distributed import Client, LocalCluster

    if scheduler is None:
        n = workers or 2
        with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            return client.gather(client.map(fn, tasks, pure=False))
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        return client.gather(client.map(fn, tasks, pure=False))
