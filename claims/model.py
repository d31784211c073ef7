"""The claim model of DESIGN.md: a claim is a statement with a ``check(dps) -> Evidence``;
running it gives a :class:`Result` with status PASS, CERTIFIED, FAIL, ERROR or SKIP."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from gfverify.claims.sources import Source
from gfverify.errors import InputError

if TYPE_CHECKING:
    from gfverify.claims.derivation import Derivation

Kind = Literal["identity", "ode", "scaling", "property", "negative-control"]
Tier = Literal["quick", "full"]
Status = Literal["PASS", "CERTIFIED", "FAIL", "ERROR", "SKIP"]
KINDS: tuple[str, ...] = ("identity", "ode", "scaling", "property", "negative-control")
TIERS: tuple[str, ...] = ("quick", "full")


class Skip(Exception):
    """Raised by a check when an optional dependency or device is missing (the reason given)."""


class PrecisionError(ArithmeticError):
    """A number whose two precisions disagree beyond the tolerance: the claim FAILS."""


@dataclass(frozen=True)
class Evidence:
    """What a check found; immutable once built. ``holds`` says whether the *statement* holds
    as checked (for a negative control the claim passes when it does not). ``residual`` and
    ``tolerance`` are numbers or exact sympy values; ``digits`` the significant digits on which
    the two precisions agree (``None`` for a purely exact check)."""

    holds: bool
    residual: object
    tolerance: object
    method: str
    digits: float | None = None
    certified: bool = False
    exponent: tuple[object, object] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def __reduce__(self):  # MappingProxyType does not pickle (worker processes send Evidence)
        return (_evidence, (self.holds, self.residual, self.tolerance, self.method, self.digits,
                            self.certified, self.exponent, dict(self.details)))

    def also(self, condition: bool = True, **details: Any) -> "Evidence":
        """A new Evidence whose statement also needs ``condition``, with ``details`` added."""
        return replace(self, holds=bool(self.holds and condition),
                       details={**self.details, **details})


def _evidence(*fields: Any) -> Evidence:
    return Evidence(*fields)


@dataclass(frozen=True)
class Claim:
    """One statement of a paper with its check. ``check(dps)`` must be able to fail."""

    id: str
    statement: str
    latex: str
    source: Source
    kind: Kind
    check: Callable[[int], Evidence]
    tier: Tier = "quick"
    derivation: Callable[[], Derivation | str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: unknown kind {self.kind!r}")
        if self.tier not in TIERS:
            raise ValueError(f"claim {self.id}: unknown tier {self.tier!r}")

    def run(self, dps: int) -> "Result":
        """Run the check, time it, and judge: errors become ERROR, :class:`Skip` becomes SKIP."""
        start = time.perf_counter()
        try:
            evidence = self.check(dps)
        except Skip as exc:
            return Result(self, "SKIP", None, time.perf_counter() - start, note=str(exc))
        except PrecisionError as exc:
            return Result(self, "FAIL", None, time.perf_counter() - start,
                          note=f"precision guard: {exc}")
        except (InputError, ArithmeticError, ValueError, RuntimeError, TypeError) as exc:
            note = f"{type(exc).__name__}: {exc}"
            return Result(self, "ERROR", None, time.perf_counter() - start, note=note,
                          trace=traceback.format_exc())
        seconds = time.perf_counter() - start
        if self.kind == "negative-control":
            status: Status = "FAIL" if evidence.holds else "PASS"
        elif not evidence.holds:
            status = "FAIL"
        else:
            status = "CERTIFIED" if evidence.certified else "PASS"
        return Result(self, status, evidence, seconds)


@dataclass
class Result:
    """A claim's judged outcome."""

    claim: Claim
    status: Status
    evidence: Evidence | None
    seconds: float
    note: str = ""
    trace: str = ""

    @property
    def ok(self) -> bool:
        """PASS or CERTIFIED: a skipped claim verified nothing, so it is not success."""
        return self.status in ("PASS", "CERTIFIED")

    def as_json(self) -> dict:
        """The JSON record of DESIGN.md (numbers as decimal strings)."""
        ev = self.evidence
        record = {
            "id": self.claim.id,
            "kind": self.claim.kind,
            "statement": self.claim.statement,
            "source": str(self.claim.source),
            "status": self.status,
            "residual": _dec(ev.residual) if ev else None,
            "tolerance": _dec(ev.tolerance) if ev else None,
            "digits": (None if ev is None or ev.digits is None else round(float(ev.digits), 1)),
            "method": ev.method if ev else self.note,
            "seconds": round(self.seconds, 4),
        }
        if ev is not None and ev.exponent is not None:
            record["exponent"] = [_dec(ev.exponent[0]), _dec(ev.exponent[1])]
        if self.note:
            record["note"] = self.note
        return record


def _dec(value: object) -> str | None:
    """A number as a short decimal string (exact zero as ``"0"``)."""
    if value is None:
        return None
    import mpmath
    import sympy

    if isinstance(value, sympy.Basic):
        if value == 0:
            return "0"
        value = value.evalf(6)
        return str(value)
    if isinstance(value, (mpmath.mpf, mpmath.mpc, float, int)):
        if value == 0:
            return "0"
        return mpmath.nstr(value, 4)
    return str(value)
