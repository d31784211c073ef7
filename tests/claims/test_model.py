import json

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
    assert sk.status == "SKIP" and sk.ok and "heyoka" in sk.note


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
    assert all(r.status == "PASS" for r in results)
