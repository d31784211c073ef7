"""Fixtures shared by the numerics tests."""

import os
import subprocess
import sys
import textwrap

import pytest


@pytest.fixture
def bounds_checked(tmp_path):
    """Run a Python snippet in a fresh interpreter whose numba-compiled loops check every array
    index (``NUMBA_BOUNDSCHECK=1``, compiled afresh into an empty cache): compiled code otherwise
    writes past a scratch array silently, and the values a test sees may survive it."""
    def run(code: str) -> str:
        env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout
    return run
