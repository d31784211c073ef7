"""[B] 4 claims and the curved-standard-flow control: the true statements pass, the control's
positive twin (the adapted flow, α = 1) goes the other way through the same judge, and wrong
formulas (segment weights swapped, C/C0 = 1 − t) FAIL."""


from gfverify.claims import registry
from gfverify.claims.statements import linear_interpolation as li
from gfverify.theory import interpolation as theory

DPS = 20


def test_line_and_cost_pass():
    for cid in ("B.full_rank_solution", "B.adapted_linear_interpolation", "B.cost_decay"):
        assert registry.get(cid).run(DPS).status == "PASS", cid


def test_swapped_segment_weights_fail(monkeypatch):
    monkeypatch.setattr(li, "segment_point", lambda t, x0, y: [(1 - t) * b + t * a for a, b in zip(x0, y)])
    assert registry.get("B.adapted_linear_interpolation").run(DPS).status == "FAIL"


def test_linear_cost_ratio_fails(monkeypatch):
    sol = theory.full_rank_solution()
    monkeypatch.setattr(theory, "full_rank_solution", lambda: {**sol, "cost_ratio": 1 - theory.T_})
    assert registry.get("B.cost_decay").run(DPS).status == "FAIL"


def test_standard_flow_control_and_its_twin_differ():
    control = registry.get("B.standard_flow_curves").run(DPS)
    assert control.status == "PASS" and control.evidence.residual > 1e-3
    twin = li.standard_flow_curves(DPS, alpha="1")  # the adapted flow: the statement is true
    assert twin.holds and twin.residual < 1e-15
