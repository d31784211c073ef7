"""Discovery of claims: every module in ``gfverify.claims.statements`` exposes ``CLAIMS``
(a list of :class:`Claim`) and may expose ``REPORTS`` (callables writing figures)."""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from pathlib import Path
from typing import Callable, Iterable

from gfverify.claims import statements
from gfverify.claims.model import Claim

Report = Callable[[Path, int], list[Path]]


def _modules() -> list:
    names = sorted(m.name for m in pkgutil.iter_modules(statements.__path__))
    return [importlib.import_module(f"{statements.__name__}.{name}") for name in names]


def all_claims() -> list[Claim]:
    """Every registered claim, in module order; ids are unique."""
    claims: list[Claim] = []
    for module in _modules():
        claims.extend(getattr(module, "CLAIMS", []))
    ids = [c.id for c in claims]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"duplicate claim ids: {sorted(dupes)}")
    return claims


def all_reports() -> list[Report]:
    """Every figure writer registered by a statements module."""
    reports: list[Report] = []
    for module in _modules():
        reports.extend(getattr(module, "REPORTS", []))
    return reports


def select(tier: str = "quick", only: str | None = None,
           claims: Iterable[Claim] | None = None) -> list[Claim]:
    """Claims of ``tier`` (``full`` includes ``quick``) whose id matches the glob ``only``."""
    pool = list(all_claims() if claims is None else claims)
    chosen = [c for c in pool if tier == "full" or c.tier == "quick"]
    if only:
        chosen = [c for c in chosen if fnmatch.fnmatchcase(c.id, only)]
    return chosen


def get(claim_id: str) -> Claim:
    """The claim with this id (``KeyError`` if there is none)."""
    for claim in all_claims():
        if claim.id == claim_id:
            return claim
    raise KeyError(claim_id)
