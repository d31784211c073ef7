"""Sampled mutation testing of ``theory/`` and ``numerics/`` with cosmic-ray.

The full mutant space is large (cosmic-ray enumerates about 10 000 meaningful mutants of the two
layers), far more than a 2-core machine can test in a session, so this script draws a uniform
random sample of them, runs each against the test files that import its module (with ``--reach N``
also those importing a package module that depends on it up to N imports away), and reports the kill
rate with a Wilson 95% interval and every survivor with its diff. Mutants that only swap an
operator for a bitwise, shift, modulo, floor-division or power one are left out: they die on the
first call (sympy and mpmath reject them) and would only inflate the rate.

Usage (cosmic-ray mutates files in place, so run it in a clean clone, never in your work tree)::

    git clone . /tmp/mut && cd /tmp/mut && pip install -e ".[test]" cosmic-ray
    python dev/mutation.py --sample 150 --seed 1 --json mutation.json
    python dev/mutation.py --rerun mutation.json --json rerun.json   # re-test the survivors

``--rerun`` re-applies each survivor of an earlier run (same module, operator, occurrence) to the
current tree. If the module changed, an occurrence index may now point elsewhere: the re-applied
change is compared with the recorded one, and if they differ the same operator's occurrences are
searched for the recorded change; found, it is tested there; not found, the mutant is ``moved``
(the code it mutated is gone; excluded from the rate and listed).

Outcomes: ``killed`` (a test failed), ``timeout`` (the tests did not finish in ``TIMEOUT``:
undecided, since a wide selection on a loaded machine can be that slow without a hang; left out
of the rate and counted, with the rate they would give as survivors),
``survived`` (every selected test passed), ``incompetent`` (the mutant could not be applied or
imported; excluded from the rate and counted).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

LAYERS = ("theory", "numerics")
SKIP_OPERATORS = re.compile(r"BitOr|BitAnd|BitXor|LShift|RShift|FloorDiv|_Mod|Mod_|_Pow|Pow_")
SKIP_MODULES = {"__init__.py", "strategies.py"}  # strategies: test-only generators
TIMEOUT = 900.0  # the widest selections run for minutes on a loaded 2-core machine


PACKAGES = {"gfverify": "src/gfverify", "gfverify.theory": "theory", "gfverify.numerics": "numerics",
            "gfverify.claims": "claims"}
FROM_IMPORT = re.compile(r"^\s*from (gfverify(?:\.\w+)*) import (\([^)]*\)|[^\n]*)", re.M)
PLAIN_IMPORT = re.compile(r"^\s*import (gfverify(?:\.\w+)+)", re.M)


def _modules(root: Path) -> dict[str, Path]:
    """Every module of the package by its dotted name (``gfverify.numerics.hermite`` ...)."""
    found = {}
    for package, where in PACKAGES.items():
        for path in (root / where).rglob("*.py"):
            parts = path.relative_to(root / where).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            found[".".join((package, *parts))] = path
    return found


def _imported(text: str, modules: dict[str, Path]) -> set[str]:
    """The package modules a source text imports (``from a.b import c`` counts ``a.b.c`` when
    that is a module, else ``a.b``)."""
    out = {m for m in PLAIN_IMPORT.findall(text) if m in modules}
    for package, names in FROM_IMPORT.findall(text):
        for name in re.findall(r"\b(\w+)\b(?:\s+as\s+\w+)?", names.strip("()")):
            out.add(f"{package}.{name}" if f"{package}.{name}" in modules else package)
    return out & modules.keys()


@lru_cache(maxsize=None)
def _import_graph(root: Path) -> tuple[dict[str, Path], dict[str, set[str]], dict[str, set[str]]]:
    """Every package module by name, the package modules each imports, and those each test file
    imports: read once per run (the tree is clean when a run starts, and a mutant changes no
    import)."""
    modules = _modules(root)
    graph = {name: _imported(path.read_text(), modules) for name, path in modules.items()}
    tests = {str(path.relative_to(root)): _imported(path.read_text(), modules)
             for path in (root / "tests").rglob("test_*.py")}
    return modules, graph, tests


def dependents(module: Path, root: Path) -> dict[str, int]:
    """The package modules that depend on ``module`` (static imports, transitively), each with its
    distance (``module`` itself at 0)."""
    modules, graph, _ = _import_graph(root.resolve())
    target = next(name for name, path in modules.items() if path.resolve() == module.resolve())
    depth, frontier = {target: 0}, [target]
    while frontier:
        frontier = [name for name, deps in graph.items() if name not in depth and deps & set(frontier)]
        depth.update((name, max(depth.values()) + 1) for name in frontier)
    return depth


def tests_for(module: Path, root: Path, reach: int | None = 0) -> list[str]:
    """The test files that import ``module``, then (``reach`` > 0) those that import a package
    module depending on it at most ``reach`` imports away (``None``: any): nearest first."""
    depth = dependents(module, root)
    ranked = []
    for name, imports in _import_graph(root.resolve())[2].items():
        hits = [depth[m] for m in imports if m in depth]
        if hits and (reach is None or min(hits) <= reach):
            ranked.append((min(hits), name))
    return [name for _, name in sorted(ranked)]


def compiled_by_numba(module: Path, root: Path) -> bool:
    """Whether a numba-compiled module depends on ``module`` (its on-disk cache would then hide
    the mutant from the compiled code)."""
    modules = _import_graph(root.resolve())[0]
    return any("numba" in modules[name].read_text() for name in dependents(module, root))


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
    # coreutils' timeout ends a hanging pytest itself: cosmic-ray starts it in a session of its
    # own, which the process-group kill below does not reach (such orphans were seen running 40 min)
    command = (f"timeout -s KILL {int(TIMEOUT)} {sys.executable} -m pytest -x -q -p no:cacheprovider "
               "-m 'not slow and not sweep and not timing' " + " ".join(tests))
    start = time.time()
    # a fresh numba cache: the on-disk cache is keyed on the file defining a compiled function, so
    # a loop compiled before the mutation (in sgd_exact.py, say) would not see a mutated helper
    numba_cache = tempfile.TemporaryDirectory(prefix="mutant-numba-")
    env = {**os.environ, "NUMBA_CACHE_DIR": numba_cache.name} if compiled_by_numba(root / module, root) \
        else os.environ
    # its own process group, so that a timeout also ends the pytest that cosmic-ray started
    proc = subprocess.Popen(["cosmic-ray", "mutate-and-test", module, operator, str(occurrence), command],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    try:
        stdout, _ = proc.communicate(timeout=TIMEOUT + 60)
        record = json.loads(stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        record = {"worker_outcome": "abnormal", "test_outcome": None, "diff": ""}
    finally:
        subprocess.run(["git", "checkout", "--", module], cwd=root, check=True)
        numba_cache.cleanup()
    outcome = {"killed": "killed", "survived": "survived"}.get(record.get("test_outcome"), "incompetent")
    # a pytest ended by `timeout` exits 137, which cosmic-ray reports as a failing test
    if record.get("worker_outcome") == "abnormal" or time.time() - start >= TIMEOUT:
        outcome = "timeout"
    return {"module": module, "operator": operator, "occurrence": occurrence, "outcome": outcome,
            "diff": record.get("diff") or "", "seconds": round(time.time() - start, 1)}


def changed_lines(diff: str) -> list[str]:
    """The removed and added source lines of a unified diff (headers and line numbers dropped)."""
    return [line for line in diff.splitlines()
            if line[:1] in "+-" and not line.startswith(("---", "+++"))]


def applied_diff(module: str, operator: str, occurrence: int, root: Path) -> str:
    """The diff ``cosmic-ray apply`` makes for one mutant (the file is restored afterwards)."""
    try:
        subprocess.run(["cosmic-ray", "apply", module, operator, str(occurrence)], cwd=root,
                       capture_output=True, check=True)
        return subprocess.run(["git", "diff", "--", module], cwd=root, capture_output=True,
                              text=True).stdout
    except subprocess.CalledProcessError:
        return ""
    finally:
        subprocess.run(["git", "checkout", "--", module], cwd=root, check=True)


def locate(record: dict, specs: list[tuple[str, int]], root: Path) -> int | None:
    """The current occurrence of a recorded mutant: its recorded index if it still makes the
    recorded change, else one of the 50 nearest occurrences of its operator that does, else None."""
    want = changed_lines(record["diff"])
    candidates = sorted((occ for op, occ in specs if op == record["operator"]),
                        key=lambda occ: abs(occ - record["occurrence"]))
    for occ in candidates[:50]:
        if changed_lines(applied_diff(record["module"], record["operator"], occ, root)) == want:
            return occ
    return None


def rerun(previous: dict, root: Path, reach: int | None) -> list[dict]:
    """Re-test the survivors of an earlier run against the current tree."""
    survivors = [r for r in previous["results"] if r["outcome"] == "survived"]
    specs: dict[str, list[tuple[str, int]]] = {}
    results = []
    for i, old in enumerate(survivors, 1):
        module = old["module"]
        if not (root / module).exists():
            results.append({**old, "outcome": "moved", "seconds": 0})
        else:
            tests = tests_for(root / module, root, reach)
            if not old["diff"].startswith("(no test"):
                if module not in specs:
                    specs[module] = mutation_specs(root / module, root)
                occ = locate(old, specs[module], root)
            else:  # the first run applied nothing: the index is taken as it is
                occ = old["occurrence"]
            if occ is None:
                results.append({**old, "outcome": "moved", "seconds": 0})
            elif not tests:
                results.append({**old, "occurrence": occ, "seconds": 0})
            else:
                results.append(run_mutant(module, old["operator"], occ, tests, root))
            results[-1]["previous_occurrence"] = old["occurrence"]
        print(f"[{i}/{len(survivors)}] {module} {old['operator']} #{old['occurrence']}: "
              f"{results[-1]['outcome']}", flush=True)
    return results


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
    parser.add_argument("--only", metavar="GLOB", action="append",
                        help="mutate only modules whose path matches GLOB (e.g. 'numerics/sgd_*.py'); "
                             "repeatable; a rate from such a run is not the suite's rate")
    parser.add_argument("--reach", type=int, default=0, metavar="N",
                        help="also run the tests of modules depending on the mutated one up to N imports "
                             "away (default 0: the test files importing it; -1: any distance)")
    parser.add_argument("--rerun", metavar="RESULTS.json",
                        help="re-test the survivors recorded in an earlier run's JSON instead")
    args = parser.parse_args()
    root = Path.cwd()
    reach = None if args.reach < 0 else args.reach
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True)
    if status.stdout.strip():
        sys.exit("mutation.py: the work tree is not clean; run it in a fresh clone")
    if args.rerun:
        previous = json.loads(Path(args.rerun).read_text())
        results = rerun(previous, root, reach)
        write(results, {"rerun_of": args.rerun, "previous": previous["summary"], "reach": args.reach},
              args.json)
        return 0
    population = []
    for layer in LAYERS:
        for module in sorted((root / layer).glob("*.py")):
            if module.name in SKIP_MODULES:
                continue
            if args.only and not any(fnmatch.fnmatch(str(module.relative_to(root)), g) for g in args.only):
                continue
            tests = tests_for(module, root, reach)
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
    write(results, {"population": len(population), "sample": len(sample), "seed": args.seed,
                    "only": args.only, "reach": args.reach},
          args.json)
    return 0


def write(results: list[dict], header: dict, path: str) -> None:
    """Write the results with their summary (kill rate over the mutants that were tested)."""
    counted = [r for r in results if r["outcome"] in ("killed", "survived")]
    killed = sum(r["outcome"] == "killed" for r in counted)
    undecided = sum(r["outcome"] == "timeout" for r in results)
    lo, hi = wilson(killed, len(counted))
    summary = {**header, "counted": len(counted), "killed": killed, "timeout": undecided,
               "incompetent": sum(r["outcome"] == "incompetent" for r in results),
               "moved": sum(r["outcome"] == "moved" for r in results),
               "kill_rate": round(killed / max(1, len(counted)), 4),
               "wilson95": [round(lo, 4), round(hi, 4)],
               "kill_rate_timeouts_as_survivors": round(killed / max(1, len(counted) + undecided), 4)}
    Path(path).write_text(json.dumps({"summary": summary, "results": results}, indent=1))
    print(json.dumps(summary))


if __name__ == "__main__":
    raise SystemExit(main())
