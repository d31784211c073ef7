import dataclasses
import json
import pickle

import mpmath
import pytest

from gfverify.claims import runner
from gfverify.claims.model import Claim, Evidence, Skip
from gfverify.claims.sources import source
from gfverify.errors import InputError


def _claim(check, kind="identity"):
    return Claim(id="t.c", statement="s", latex="", source=source("C1"), kind=kind, check=check)


def test_errors_and_skips_are_reported_not_raised():
    def boom(dps):
        raise InputError("bad matrix")

    def skip(dps):
        raise Skip("heyoka is not installed")

    err = _claim(boom).run(30)
    assert err.status == "ERROR" and "bad matrix" in err.note and not err.ok
    sk = _claim(skip).run(30)
    assert sk.status == "SKIP" and not sk.ok and "heyoka" in sk.note


def test_certified_and_json_record():
    res = _claim(lambda dps: Evidence(holds=True, residual=0, tolerance=1e-25, method="arb",
                                      digits=31.2, certified=True)).run(30)
    assert res.status == "CERTIFIED"
    rec = res.as_json()
    assert rec["residual"] == "0" and rec["digits"] == 31.2
    json.dumps(runner.results_json([res]))


def test_parallel_runner_keeps_order_and_statuses():
    from gfverify.claims import registry

    claims = registry.select("quick", "hermite.coefficients.[rs]*")
    results = runner.run_claims(claims, 20, show_progress=False, jobs=2)
    assert [r.claim.id for r in results] == [c.id for c in claims]
    assert all(r.ok for r in results), [(r.claim.id, r.status) for r in results]


def test_unconfirmed_numbers_fail_whatever_the_kind():
    """The precision guard: a number whose two precisions disagree neither verifies a
    statement nor refutes one, so a negative control FAILS too."""
    from gfverify.claims.judge import versus_numeric

    def unstable(dps):  # the answer depends on the working precision: never confirmed
        return versus_numeric(0, lambda p: mpmath.mpf(10) ** (-p // 3), dps, "unstable")

    for kind in ("identity", "negative-control"):
        res = _claim(unstable, kind=kind).run(30)
        assert res.status == "FAIL" and "precision guard" in res.note


def test_evidence_is_immutable_and_also_returns_a_new_one():
    ev = Evidence(holds=True, residual=0, tolerance=0, method="m", details={"a": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.holds = False
    with pytest.raises(TypeError):
        ev.details["b"] = 2
    worse = ev.also(False, b=2)
    assert ev.holds and not worse.holds and dict(worse.details) == {"a": 1, "b": 2}
    assert pickle.loads(pickle.dumps(worse)) == worse
