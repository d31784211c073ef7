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
