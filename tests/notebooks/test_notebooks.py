"""Execute every derivation notebook in notebooks/ (jupytext percent format) with nbclient, on
the small parameter set (GFVERIFY_NOTEBOOK_SMALL=1) and with the gallery figure written to a
temporary directory; a notebook passes when no cell raises (each asserts its own judged checks)."""

from pathlib import Path

import jupytext
import nbclient
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
#: the jupytext notebooks (``checking.py`` beside them is their shared module, not a notebook)
NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.glob("*.py") if p.read_text().startswith("# ---\n# jupyter:"))


def run_notebook(path: Path, gallery: Path, monkeypatch) -> None:
    """Execute the notebook at ``path`` on the small parameter set; raises on the first error."""
    monkeypatch.setenv("GFVERIFY_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("GFVERIFY_GALLERY", str(gallery))
    monkeypatch.delenv("GFVERIFY_NOTEBOOK_PERTURB", raising=False)
    nb = jupytext.read(path)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 6, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    run_notebook(path, tmp_path, monkeypatch)
    assert (tmp_path / f"{path.stem}.png").stat().st_size > 10_000, "no gallery figure written"
