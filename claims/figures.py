"""Figures for ``gfverify verify --report`` and ``gfverify interpolate --report``: matplotlib
with the Agg backend (optional ``[plot]`` extra) and one way to write a PNG."""

from __future__ import annotations

from pathlib import Path


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend, or ``None`` when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, directory: Path, name: str) -> Path:
    """Lay out ``fig``, write it to ``directory/name`` (PNG, 110 dpi) and close it."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path = directory / name
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def interpolation_figure(problem, directory: Path, dps: int, t_end: str = "0.999") -> list[Path]:
    """The homotopy flows α = 0, ½, 1 of ``problem`` to ``t_end`` in output space, projected on
    the plane of ``y − x0`` and the α = 0 path's largest deviation
    (``numerics.flows.output_plane``), beside their cost against ``t`` with ``(1 − t)² C0``;
    written as ``interpolation_trajectories.png``."""
    import numpy as np

    from gfverify.errors import InputError
    from gfverify.numerics.flows import output_plane

    plt = pyplot()
    if plt is None:
        raise InputError("figures need matplotlib: pip install 'gfverify[plot]'")
    directory.mkdir(parents=True, exist_ok=True)
    plane = output_plane(problem, ("0", "0.5", "1"), t_end, dps)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for a, pts in plane["points"].items():
        ax[0].plot([p[0] for p in pts], [p[1] for p in pts], "o-", ms=3, label=f"α = {a}")
    ax[0].plot([0, plane["length"]], [0, 0], "k--", lw=1, label="segment x0 → y")
    ax[0].set_xlabel("along y − x0")
    ax[0].set_ylabel("orthogonal (α = 0 deviation)")
    ax[0].legend()
    ax[0].set_title(problem.name)
    ts = np.linspace(0, float(t_end), 200)
    ax[1].semilogy(ts, plane["c0"] * (1 - ts) ** 2, "k--", lw=1, label="(1 − t)² C0")
    for a, pts in plane["costs"].items():
        ax[1].semilogy([p[0] for p in pts], [p[1] for p in pts], "o", ms=3, label=f"α = {a}")
    ax[1].set_xlabel("t = 1 − exp(−s/N)")
    ax[1].set_ylabel("cost C")
    ax[1].legend()
    return [save(fig, directory, "interpolation_trajectories.png")]
