"""[B] 5 claims and the stalled-model control: the control (an under-parametrized linear model
"reaches C = 0") and its positive twin (the full-rank net, which does) come out opposite through
the same statistic; P in place of P⊥ and x0 + y in place of x0 − y FAIL."""

import mpmath

from gfverify.claims import registry
from gfverify.claims.statements import rank_deficiency as rdc
from gfverify.numerics import rank_deficiency as rd
from gfverify.numerics.flows import start
from gfverify.numerics.pseudoinverse import svd_projector

DPS = 20


def test_linear_claims_pass():
    for cid in ("B.duhamel_symbolic", "B.duhamel_bound", "B.linear_equality", "B.underparam_limit"):
        assert registry.get(cid).run(DPS).status == "PASS", cid


def test_stall_control_and_its_twin_differ():
    control = registry.get("B.underparam_stalls").run(DPS)
    assert control.status == "PASS" and control.evidence.residual > 1e4
    twin = rdc.underparam_stalls(DPS, rdc.NET)
    assert twin.holds and abs(twin.residual - 1) < 1e-10


def _parts_with(e0_of):
    def parts(problem):
        x0, y = start(problem)
        e0 = e0_of(x0, y)
        perp = rd.complement(problem.model.outputs_and_jacobian(problem.theta0_mp())[1], e0)
        return [a - b for a, b in zip(e0, perp)], perp
    return parts


def test_projector_instead_of_its_complement_fails(monkeypatch):
    true_parts = rd.linear_parts
    monkeypatch.setattr(rd, "linear_parts", lambda problem: tuple(reversed(true_parts(problem))))
    assert registry.get("B.linear_equality").run(DPS).status == "FAIL"


def test_sign_flipped_residual_fails(monkeypatch):
    monkeypatch.setattr(rd, "linear_parts", _parts_with(lambda x0, y: [a + b for a, b in zip(x0, y)]))
    assert registry.get("B.underparam_limit").run(DPS).status == "FAIL"
    assert registry.get("B.linear_equality").run(DPS).status == "FAIL"


def test_duhamel_with_the_projector_fails(monkeypatch):
    assert registry.get("B.duhamel").run(DPS).status == "PASS"
    monkeypatch.setattr(rd, "complement", lambda rows, v: list(svd_projector(rows) * mpmath.matrix(list(v))))
    assert registry.get("B.duhamel").run(DPS).status == "FAIL"
