"""The dynamics claims (reduced ODE, escape times, stages, planted landscape) pass, and fail when
the formula under test is altered (the same check, a plausible wrong formula injected)."""

import sympy

from gfverify.claims import registry
from gfverify.claims.statements import escape_times as et
from gfverify.claims.statements import reduced_ode as rd
from gfverify.numerics.fitting import fit_slope

CHEAP = ["A.single_index_ode", "A.escape_exponent", "A.escape_log_slope", "A.planted_exponent_control",
         "A.escape_asymptotics"]


def _run(cid, dps=30):
    return registry.get(cid).run(dps)


def test_cheap_claims_pass():
    for cid in CHEAP:
        result = _run(cid)
        assert result.status == "PASS", (cid, result.note, result.evidence)


def test_ids_kinds_and_sources():
    for cid in ["A.reduced_ode_routes", "A.escape_time_closed_form", "A.escape_asymptotics",
                "A.escape_exponent", "A.escape_log_slope", "A.planted_escape",
                "A.planted_negative_start", "A.staircase_stages", "A.saddle_to_saddle",
                "A.flow_invariants"]:
        assert registry.get(cid).tier == "quick"
    assert registry.get("A.planted_exponent_control").kind == "negative-control"
    assert registry.get("A.planted_spurious_attractors").source.statement == "A18"
    assert registry.get("A.escape_time_closed_form_sweep").tier == "full"


def test_wrong_leading_constant_fails(monkeypatch):
    right = et.theory_leading
    monkeypatch.setattr(et, "theory_leading", lambda s, a, g, d, p: 2 * right(s, a, g, d, p))
    assert not et.escape_asymptotics(30, cases=et.EXPANSION_QUICK).holds


def test_wrong_exponent_fails(monkeypatch):
    monkeypatch.setattr(et, "theory_exponent", lambda s, planted: sympy.Integer(s - 1))
    assert not et.escape_exponent(30, cases=et.EXPONENT_QUICK).holds


def test_wrong_single_index_formula_fails(monkeypatch):
    # a factor 2 lost in front of the sum (e.g. a gradient in m instead of in G = m^2)
    right = rd.theory_rhs
    monkeypatch.setattr(rd, "theory_rhs", lambda a, m, p: right(a, m, p) * (1 if p else 2))
    assert not rd.single_index(30).holds


def test_wrong_staircase_flow_fails(monkeypatch):
    monkeypatch.setattr(rd, "theory_staircase_flow",
                        lambda g1, g2, g3: [2 * g1 * (1 - g1) * (1 + g2), 2 * g2 * (1 - g2) * g1 * (1 + g3),
                                            2 * g3 * (1 - g3) * g1 * g2])
    assert not rd.staircase_flow(30).holds


def test_fit_recovers_a_known_slope():
    # y = 2x + 3 exactly: slope 2, no drift
    fit = fit_slope([1, 2, 3, 4], [5, 7, 9, 11])
    assert abs(fit.slope - 2) < 1e-12 and fit.uncertainty < 1e-12
    assert all(abs(v - 2) < 1e-12 for v in fit.local)
