"""Every row of the bad-input table in docs/bad_inputs.md: one line ``gfverify: error: …`` on
stderr, the exit code of the table, nothing on stdout, nothing executed."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gfverify.claims import cli

TABLE = Path(__file__).resolve().parents[2] / "docs" / "bad_inputs.md"
_ROW = re.compile(r"^\| `gfverify (?P<command>.+?)` \| (?P<code>\d+) \| `` (?P<message>.+) `` \|$")
TEXTS = {"{long}": "z+" * 5000 + "z", "{nested}": "(" * 300 + "z" + ")" * 300,
         "{deep}": "exp(" * 61 + "z" + ")" * 61}


def _rows() -> list[tuple[str, int, str]]:
    rows = [(m["command"], int(m["code"]), m["message"].replace("\\|", "|"))
            for m in map(_ROW.match, TABLE.read_text().splitlines()) if m]
    assert len(rows) >= 80, "the bad-input table lost its rows"
    return rows


@pytest.fixture
def places(tmp_path, monkeypatch) -> dict[str, str]:
    """The table's placeholders; the working directory is an empty one of its own."""
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return {"{file}": str(tmp_path / "file"), "{dir}": str(tmp_path / "dir"),
            "{missing}": str(tmp_path / "missing"), **TEXTS}


def _fill(text: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        text = text.replace(key, value)
    return text


@pytest.mark.parametrize("command, code, message", _rows(), ids=[r[0][:60] for r in _rows()])
def test_row(command, code, message, places, capsys):
    argv = [_fill(a, places) for a in shlex.split(command)]
    try:
        got = cli.main(argv)
    except SystemExit as exc:  # argparse usage errors
        got = exc.code
    out, err = capsys.readouterr()
    assert got == code
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gfverify: error: "), err
    position = 0
    for piece in _fill(message, places).split("…"):
        found = lines[0].find(piece, position)
        assert found >= 0, f"{piece!r} not in {lines[0]!r}"
        position = found + len(piece)
    assert os.listdir(".") == [], "a bad input left something behind (or ran a command)"


def test_nothing_executed_in_a_fresh_process(tmp_path):
    """The must-show case, as a user runs it: one line, exit 2, and the payload never runs."""
    marker = tmp_path / "pwned"
    for argv in (["hermite", "__import__('os').getcwd()", "--kmax", "2"],
                 ["hermite", f"__import__('pathlib').Path({str(marker)!r}).touch()", "--kmax", "2"],
                 ["average", "z**3", "--N", f"[[__import__('os').system('touch {marker}')]]"],
                 ["escape", "--alphas", f"3:__import__('os').system('touch {marker}')",
                  "--d", "1e6", "--to", "0.5"]):
        out = subprocess.run([sys.executable, "-m", "gfverify", *argv], capture_output=True, text=True,
                             cwd=tmp_path, timeout=120)
        assert out.returncode == 2 and out.stdout == ""
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
        assert not marker.exists()
