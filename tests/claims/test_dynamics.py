"""The dynamics claims pass, and fail when the THEORY.md formula under test is altered."""

import sympy

from gfverify.claims.statements import dynamics as dy

CHEAP = ["A.single_index_ode", "A.escape_exponent", "A.escape_log_slope", "A.planted_exponent_control",
         "A.escape_asymptotics"]


def _claim(cid):
    return next(c for c in dy.CLAIMS if c.id == cid)


def test_cheap_claims_pass():
    for cid in CHEAP:
        result = _claim(cid).run(30)
        assert result.status == "PASS", (cid, result.note, result.evidence)


def test_quick_tier_ids_and_kinds():
    ids = {c.id for c in dy.CLAIMS}
    for cid in ["A.reduced_ode_routes", "A.escape_time_closed_form", "A.escape_asymptotics", "A.escape_exponent",
                "A.escape_log_slope", "A.planted_escape", "A.planted_negative_start", "A.staircase_stages",
                "A.saddle_to_saddle", "A.flow_invariants"]:
        assert cid in ids
    assert _claim("A.planted_exponent_control").kind == "negative-control"


def test_wrong_leading_constant_fails(monkeypatch):
    right = dy.theory_leading
    monkeypatch.setattr(dy, "theory_leading", lambda s, a, g, d, p: 2 * right(s, a, g, d, p))
    assert not dy.make_asymptotics_check(False)(30).holds


def test_wrong_exponent_fails(monkeypatch):
    monkeypatch.setattr(dy, "theory_exponent", lambda s, planted: sympy.Integer(s - 1))
    assert not dy.make_exponent_check(False)(30).holds


def test_wrong_single_index_formula_fails(monkeypatch):
    # a factor 2 lost in front of the sum (e.g. a gradient in m instead of in G = m^2)
    right = dy.theory_rhs
    monkeypatch.setattr(dy, "theory_rhs", lambda a, m, p: right(a, m, p) * (1 if p else 2))
    assert not dy.check_single_index(30).holds


def test_wrong_staircase_flow_fails(monkeypatch):
    monkeypatch.setattr(dy, "theory_staircase_flow",
                        lambda g1, g2, g3: [2 * g1 * (1 - g1) * (1 + g2), 2 * g2 * (1 - g2) * g1 * (1 + g3),
                                            2 * g3 * (1 - g3) * g1 * g2])
    assert not dy.check_staircase_flow(30).holds


def test_fit_recovers_a_known_slope():
    # y = 2x + 3 exactly: slope 2, no drift
    slope, unc, local = dy._fit([1, 2, 3, 4], [5, 7, 9, 11])
    assert abs(slope - 2) < 1e-12 and unc < 1e-12 and all(abs(v - 2) < 1e-12 for v in local)
