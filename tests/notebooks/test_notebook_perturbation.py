"""Each judged check of a notebook must fail when the value it checks is perturbed: the
notebook ``averaging_operator`` is executed once per check with GFVERIFY_NOTEBOOK_PERTURB naming
it (the value becomes x(1 + 10⁻⁶) + 10⁻⁶), and the execution must stop at that check's cell with
its assertion; the unperturbed run (the twin) passes. One kernel serves every run."""

import copy
import re
from pathlib import Path

import jupytext
import nbclient
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "averaging_operator.py"
CHECKS = re.findall(r'judged\("(\w+)"', NOTEBOOK.read_text())


def failures(perturbed: list[str], tmp_path) -> dict[str, tuple[str, str]]:
    """For each name (``""`` = unperturbed): the source and error of the cell where the run
    stopped, or ``("", "")`` if the whole notebook ran green."""
    nb = jupytext.read(NOTEBOOK)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    out = {}
    with client.setup_kernel():
        for name in perturbed:
            setup = nbformat.v4.new_code_cell(
                "import os\n"
                "os.environ['GFVERIFY_NOTEBOOK_SMALL'] = '1'\n"
                f"os.environ['GFVERIFY_GALLERY'] = {str(tmp_path)!r}\n"
                f"os.environ['GFVERIFY_NOTEBOOK_PERTURB'] = {name!r}")
            client.execute_cell(setup, 0)
            out[name] = ("", "")
            for index, cell in enumerate(copy.deepcopy(nb.cells)):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as exc:
                    out[name] = (cell.source, str(exc))
                    break
    return out


def test_the_notebook_has_checks():
    assert len(CHECKS) >= 10 and len(set(CHECKS)) == len(CHECKS), CHECKS


def test_first_check_fails_when_perturbed(tmp_path):
    source, error = failures([CHECKS[0]], tmp_path)[CHECKS[0]]
    assert f'judged("{CHECKS[0]}"' in source and f"check {CHECKS[0]} fails" in error, error[-2000:]


@pytest.mark.slow
def test_every_check_fails_when_perturbed_and_the_twin_passes(tmp_path):
    got = failures([""] + CHECKS, tmp_path)
    assert got[""] == ("", ""), got[""][1][-2000:]
    for name in CHECKS:
        source, error = got[name]
        assert f'judged("{name}"' in source, f"{name}: the run did not stop at its check ({error[-500:]})"
        assert f"check {name} fails" in error, f"{name}: {error[-1000:]}"
