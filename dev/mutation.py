"""Sampled mutation testing of ``theory/`` and ``numerics/`` with cosmic-ray.

The full mutant space is large (cosmic-ray enumerates about 10 000 meaningful mutants of the two
layers), far more than a 2-core machine can test in a session, so this script draws a uniform
random sample of them, runs each against the tests that import its module, and reports the kill
rate with a Wilson 95% interval and every survivor with its diff. Mutants that only swap an
operator for a bitwise, shift, modulo, floor-division or power one are left out: they die on the
first call (sympy and mpmath reject them) and would only inflate the rate.

Usage (cosmic-ray mutates files in place, so run it in a clean clone, never in your work tree)::

    git clone . /tmp/mut && cd /tmp/mut && pip install -e ".[test]" cosmic-ray
    python dev/mutation.py --sample 150 --seed 1 --json mutation.json

Outcomes: ``killed`` (a test failed), ``timeout`` (counted as killed: the mutant hangs),
``survived`` (every selected test passed), ``incompetent`` (the mutant could not be applied or
imported; excluded from the rate and counted).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAYERS = ("theory", "numerics")
SKIP_OPERATORS = re.compile(r"BitOr|BitAnd|BitXor|LShift|RShift|FloorDiv|_Mod|Mod_|_Pow|Pow_")
SKIP_MODULES = {"__init__.py", "strategies.py"}  # strategies: test-only generators
TIMEOUT = 300.0


def tests_for(module: Path, root: Path) -> list[str]:
    """The test files that import ``module`` (by its dotted name or ``from layer import name``)."""
    layer, name = module.parent.name, module.stem
    pattern = re.compile(rf"gfverify\.{layer}\.{name}\b|from gfverify\.{layer} import [^\n]*\b{name}\b")
    return sorted(str(p.relative_to(root)) for p in (root / "tests").rglob("test_*.py")
                  if pattern.search(p.read_text()))


def mutation_specs(module: Path, root: Path) -> list[tuple[str, int]]:
    """Every (operator, occurrence) cosmic-ray finds in ``module``, less the skipped operators."""
    with tempfile.TemporaryDirectory() as tmp:
        config, session = Path(tmp) / "cr.toml", Path(tmp) / "cr.sqlite"
        config.write_text(f'[cosmic-ray]\nmodule-path = "{module.relative_to(root)}"\ntimeout = {TIMEOUT}\n'
                          'excluded-modules = []\ntest-command = "true"\n'
                          '[cosmic-ray.distributor]\nname = "local"\n')
        subprocess.run(["cosmic-ray", "init", str(config), str(session)], cwd=root, check=True,
                       capture_output=True)
        with sqlite3.connect(session) as db:
            rows = db.execute("select operator_name, occurrence from mutation_specs").fetchall()
    return [(op, occ) for op, occ in rows if not SKIP_OPERATORS.search(op)]


def run_mutant(module: str, operator: str, occurrence: int, tests: list[str], root: Path) -> dict:
    """Apply one mutant, run its tests (stop at the first failure), restore the file."""
    command = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -m 'not slow' " + " ".join(tests)
    start = time.time()
    try:
        out = subprocess.run(["cosmic-ray", "mutate-and-test", module, operator, str(occurrence), command],
                             cwd=root, capture_output=True, text=True, timeout=TIMEOUT + 60)
        record = json.loads(out.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        subprocess.run(["git", "checkout", "--", module], cwd=root, check=True)
        record = {"worker_outcome": "abnormal", "test_outcome": None, "diff": ""}
    finally:
        subprocess.run(["git", "checkout", "--", module], cwd=root, check=True)
    outcome = {"killed": "killed", "survived": "survived"}.get(record.get("test_outcome"), "incompetent")
    if record.get("worker_outcome") == "abnormal":
        outcome = "timeout"
    return {"module": module, "operator": operator, "occurrence": occurrence, "outcome": outcome,
            "diff": record.get("diff") or "", "seconds": round(time.time() - start, 1)}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", default="mutation.json")
    args = parser.parse_args()
    root = Path.cwd()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
    if status.stdout.strip():
        sys.exit("mutation.py: the work tree is not clean; run it in a fresh clone")
    population = []
    for layer in LAYERS:
        for module in sorted((root / layer).glob("*.py")):
            if module.name in SKIP_MODULES:
                continue
            tests = tests_for(module, root)
            population += [(str(module.relative_to(root)), op, occ, tests)
                           for op, occ in mutation_specs(module, root)]
    sample = random.Random(args.seed).sample(population, min(args.sample, len(population)))
    results = []
    for i, (module, op, occ, tests) in enumerate(sample, 1):
        if not tests:
            results.append({"module": module, "operator": op, "occurrence": occ,
                            "outcome": "survived", "diff": "(no test imports this module)", "seconds": 0})
        else:
            results.append(run_mutant(module, op, occ, tests, root))
        print(f"[{i}/{len(sample)}] {module} {op} #{occ}: {results[-1]['outcome']}", flush=True)
    counted = [r for r in results if r["outcome"] != "incompetent"]
    killed = sum(r["outcome"] in ("killed", "timeout") for r in counted)
    lo, hi = wilson(killed, len(counted))
    summary = {"population": len(population), "sample": len(sample), "seed": args.seed,
               "counted": len(counted), "killed": killed,
               "incompetent": len(results) - len(counted),
               "kill_rate": round(killed / max(1, len(counted)), 4),
               "wilson95": [round(lo, 4), round(hi, 4)]}
    Path(args.json).write_text(json.dumps({"summary": summary, "results": results}, indent=1))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
