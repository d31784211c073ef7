"""Declaring and collecting claims.

A claim is declared where it is checked: :func:`claim` decorates the function that computes its
two routes, with the statement, LaTeX, kind, tier and the numbered statement of
``docs/theory.md`` it checks. Variants of one statement (quick/full, another q, another link)
are one declaration: ``variants`` maps an id suffix to the keyword arguments of the check, plus
optional overrides of ``tier``, ``statement`` and ``latex``. Figure writers for ``verify
--report`` are declared with :func:`report`. Every module of ``gfverify.claims.statements`` is
imported on first use, which fills the registry."""

from __future__ import annotations

import fnmatch
import functools
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from gfverify.claims.derivation import Derivation
from gfverify.claims.model import Claim, Evidence, Kind, Tier
from gfverify.claims.sources import source as _source

Report = Callable[[Path, int], list[Path]]
Check = Callable[..., Evidence]

_DECLARED: list[Claim] = []
_MODULE: dict[str, str] = {}  # claim id -> the module that declares it
_REPORTS: list[Report] = []
_OVERRIDES = ("tier", "statement", "latex")
_loaded = False


def claim(id: str, *, statement: str, latex: str, kind: Kind, source: str,
          tier: Tier = "quick", derivation: Callable[..., Derivation | str] | None = None,
          variants: Mapping[str, Mapping[str, Any]] | None = None) -> Callable[[Check], Check]:
    """Register the decorated ``check(dps, **params) -> Evidence`` as one claim per variant.

    ``source`` is a statement number of ``docs/theory.md`` (``"A3"``); ``variants`` maps an id
    suffix (``""`` for the plain id) to the check's keyword arguments and optional overrides of
    ``tier``, ``statement`` and ``latex``. Without ``variants`` the check takes ``dps`` only.
    ``derivation(**params)`` gets those of the variant's keyword arguments that it names and
    returns a :class:`~gfverify.claims.derivation.Derivation` (or plain text, kept verbatim)."""
    cited = _source(source)

    def register(check: Check) -> Check:
        for suffix, spec in (variants or {"": {}}).items():
            params = {k: v for k, v in spec.items() if k not in _OVERRIDES}
            meta = {"tier": tier, "statement": statement, "latex": latex}
            meta.update({k: spec[k] for k in _OVERRIDES if k in spec})
            bound = functools.partial(check, **params) if params else check
            _DECLARED.append(Claim(id=id + suffix, source=cited, kind=kind, check=bound,
                                   derivation=_bind(derivation, params), **meta))
            _MODULE[id + suffix] = check.__module__
        return check

    return register


def _bind(derivation: Callable[..., Derivation | str] | None, params: Mapping[str, Any]):
    if derivation is None:
        return None
    named = inspect.signature(derivation).parameters
    mine = {k: v for k, v in params.items() if k in named}
    return functools.partial(derivation, **mine) if mine else derivation


def report(writer: Report) -> Report:
    """Register a figure writer ``writer(directory, dps) -> [paths]`` for ``verify --report``."""
    _REPORTS.append(writer)
    return writer


def _load() -> None:
    global _loaded
    if _loaded:
        return
    from gfverify.claims import statements

    for info in sorted(pkgutil.iter_modules(statements.__path__), key=lambda m: m.name):
        importlib.import_module(f"{statements.__name__}.{info.name}")
    ids = [c.id for c in _DECLARED]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"duplicate claim ids: {dupes}")
    _loaded = True


def all_claims() -> list[Claim]:
    """Every declared claim, in module order, then declaration order (whatever order the modules
    were first imported in); ids are unique."""
    _load()
    return sorted(_DECLARED, key=lambda c: _MODULE[c.id])


def all_reports() -> list[Report]:
    """Every declared figure writer."""
    _load()
    return list(_REPORTS)


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
    for c in all_claims():
        if c.id == claim_id:
            return c
    raise KeyError(claim_id)
