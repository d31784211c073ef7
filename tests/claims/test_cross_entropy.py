"""[B] 6 claims: conservation passes; the one-hot control ("the flow converges") and its positive
twin (positive labels, which do converge) come out opposite through the same statistic; the
one-hot margins follow the Lambert-W law; a wrong limit point FAILS."""

import mpmath

from gfverify.claims import registry
from gfverify.claims.statements import cross_entropy as cec
from gfverify.numerics import cross_entropy as ce

DPS = 20


def test_conservation_passes():
    assert registry.get("B.cross_entropy_conservation").run(DPS).status == "PASS"


def test_one_hot_control_and_its_twin_differ():
    control = registry.get("B.one_hot_no_limit").run(DPS)
    assert control.status == "PASS" and abs(control.evidence.residual - 1) < 0.05
    twin = cec.one_hot_no_limit(DPS, seed=0, one_hot=False)
    assert twin.holds and twin.residual < 1e-10


def test_one_hot_margins_follow_the_lambert_w_law():
    assert registry.get("B.one_hot_margins").run(DPS).status == "PASS"


def test_limit_passes_and_an_uncentred_limit_fails(monkeypatch):
    assert registry.get("B.cross_entropy_limit").run(DPS).status == "PASS"
    true_limit = ce.limit_point

    def uncentred(x0, rows):  # log y_j + P_1 x_j(0): the row sum of x(0) is not kept
        star, rate = true_limit(x0, rows)
        shift = [mpmath.fsum(mpmath.log(v) for v in row) / len(row) for row in rows]
        return [s + shift[i // 2] for i, s in enumerate(star)], rate

    monkeypatch.setattr(ce, "limit_point", uncentred)
    assert registry.get("B.cross_entropy_limit").run(DPS).status == "FAIL"
