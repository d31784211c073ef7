"""The dynamics claims (reduced ODE, escape times, asymptotics, stages, planted landscape) PASS,
and FAIL through the same judge when a plausible wrong formula or constant is injected."""

import pytest
import sympy

from gfverify.claims import registry
from gfverify.claims.statements import escape_times as et
from gfverify.claims.statements import planted_landscape as pl
from gfverify.claims.statements import reduced_ode as rd
from gfverify.claims.statements import stages as st
from gfverify.numerics.fitting import fit_slope

CHEAP = ["A.single_index_ode", "A.escape_exponent", "A.escape_log_slope", "A.planted_exponent_control",
         "A.escape_asymptotics", "A.staircase_diagonal_flow", "A.reduced_ode_routes"]


def _status(cid, dps=30):
    result = registry.get(cid).run(dps)
    return result.status


def test_cheap_claims_pass():
    for cid in CHEAP:
        result = registry.get(cid).run(30)
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


# ----------------------------------------------------------------------------- reduced ODE

def test_wrong_single_index_formula_fails(monkeypatch):
    # a factor 2 lost in front of the sum (e.g. a gradient in m instead of in G = m^2)
    right = rd.theory_rhs
    monkeypatch.setattr(rd, "theory_rhs", lambda a, m, p: right(a, m, p) * (1 if p else 2))
    assert _status("A.single_index_ode") == "FAIL"


def test_wrong_staircase_flow_fails(monkeypatch):
    # g1' without the g2 g3 term
    monkeypatch.setattr(rd, "theory_staircase_flow",
                        lambda g1, g2, g3: [2 * g1 * (1 - g1) * (1 + g2), 2 * g2 * (1 - g2) * g1 * (1 + g3),
                                            2 * g3 * (1 - g3) * g1 * g2])
    assert _status("A.staircase_diagonal_flow") == "FAIL"


def test_staircase_g2_without_the_g3_factor_fails(monkeypatch):
    right = rd.theory_staircase_flow
    monkeypatch.setattr(rd, "theory_staircase_flow",
                        lambda g1, g2, g3: [right(g1, g2, g3)[0], 2 * g2 * (1 - g2) * g1,
                                            right(g1, g2, g3)[2]])
    assert _status("A.staircase_diagonal_flow") == "FAIL"


def test_euclidean_instead_of_stiefel_gradient_fails(monkeypatch):
    # the Stiefel projection forgotten: Mdot = (1/2) grad_M psi(M M^T)
    def euclidean(link, zs, Msym):
        q = len(zs)
        G = rd.ro.symmetric_matrix(q)
        Gm = Msym * Msym.T
        psi_m = sympy.expand(rd.ro.psi_of(link, zs, G).subs(
            {G[i, j]: Gm[i, j] for i in range(q) for j in range(i, q)}, simultaneous=True))
        return Msym.applyfunc(lambda e: sympy.diff(psi_m, e)) / 2

    monkeypatch.setattr(rd, "_route_pushforward", euclidean)
    assert _status("A.reduced_ode_routes") == "FAIL"


def test_flow_invariants_and_a_rate_without_i_minus_g(monkeypatch):
    assert _status("A.flow_invariants") == "PASS"
    monkeypatch.setattr(rd, "theory_loss_rate", lambda M, phi, G: -(M.T * phi * phi * M).trace())
    assert _status("A.flow_invariants") == "FAIL"


# ----------------------------------------------------------------------------- escape times

def test_escape_closed_form_of_the_wrong_flow_fails(monkeypatch):
    # the planted closed form taken from the two-timescale flow (m^(2k-1) for m^(k-1))
    assert _status("A.planted_escape") == "CERTIFIED"
    right = et.integral_of
    monkeypatch.setattr(et, "integral_of", lambda name, planted: right(name, False))
    assert _status("A.planted_escape") == "FAIL"


def test_wrong_leading_constant_fails(monkeypatch):
    right = et.theory_leading
    monkeypatch.setattr(et, "theory_leading", lambda s, a, g, d, p: 2 * right(s, a, g, d, p))
    assert _status("A.escape_asymptotics") == "FAIL"


def test_s_s_minus_1_for_2s_s_minus_1_fails(monkeypatch):
    right = et.theory_leading

    def wrong(s, a, g, d, planted):
        if not planted and s >= 2:
            return d ** (s - 1) / (s * (s - 1) * a**2 * g ** (2 * s - 2))
        return right(s, a, g, d, planted)

    monkeypatch.setattr(et, "theory_leading", wrong)
    assert _status("A.escape_asymptotics") == "FAIL"


def test_wrong_exponent_fails(monkeypatch):
    monkeypatch.setattr(et, "theory_exponent", lambda s, planted: sympy.Integer(s - 1))
    assert _status("A.escape_exponent") == "FAIL"


def test_planted_exponent_control_and_its_positive_twin():
    # the same judge (fitted slope within its uncertainty of the predicted exponent) on the same
    # planted links: s/2 - 1 holds, the two-timescale s - 1 does not
    cases = (("h3", True), ("h4", True))
    assert all(r["ratio"] <= 1 for r in et.exponent_table(cases, 30))
    assert all(r["ratio"] > 1 for r in et.exponent_table(cases, 30, predicted=lambda s, p: s - 1))


def test_wrong_log_coefficient_fails(monkeypatch):
    # ln d / alpha_1^2 for ln d / (2 alpha_1^2)
    right = et.theory_leading
    monkeypatch.setattr(et, "theory_leading",
                        lambda s, a, g, d, p: (2 if (s == 1 and not p) else 1) * right(s, a, g, d, p))
    assert _status("A.escape_log_slope") == "FAIL"


# ----------------------------------------------------------------------------- stages

def test_staircase_stages_and_a_wrong_slope(monkeypatch):
    assert _status("A.staircase_stages") == "PASS"
    monkeypatch.setattr(st, "theory_stage_slope", lambda: sympy.Integer(1))
    assert _status("A.staircase_stages") == "FAIL"


def test_saddle_to_saddle_and_d2_over_6c2(monkeypatch):
    assert _status("A.saddle_to_saddle") == "PASS"
    monkeypatch.setattr(st, "theory_second_plateau", lambda d, c: sympy.sympify(d) ** 2 / (6 * c**2))
    assert _status("A.saddle_to_saddle") == "FAIL"


# ----------------------------------------------------------------------------- planted landscape

def test_negative_start_and_a_wrong_creep(monkeypatch):
    assert _status("A.planted_negative_start") == "PASS"
    monkeypatch.setattr(pl, "theory_creep", lambda t: -1 / (2 * t))
    assert _status("A.planted_negative_start") == "FAIL"


@pytest.mark.parametrize("value, holds", [(0.5, True), (0.45, False)])
def test_q1_success_probability_is_exactly_one_half(value, holds):
    # the exact binomial test at level 1e-3 with 4000 starts: power 0.999 against .45
    assert pl.spurious_attractors(30, qs=(1,), q1_value=value).holds is holds


def test_unfixed_qr_control_discriminates():
    # the control (unfixed sampler) is rejected; made true (the sampler sign-fixed) it is not
    assert not pl.unfixed_qr_control(30, starts=400, ref_starts=800).holds
    assert pl.unfixed_qr_control(30, starts=400, ref_starts=800, sign_fix=True).holds


def test_fit_recovers_a_known_slope():
    # y = 2x + 3 exactly: slope 2, no drift
    fit = fit_slope([1, 2, 3, 4], [5, 7, 9, 11])
    assert abs(fit.slope - 2) < 1e-12 and fit.uncertainty < 1e-12
    assert all(abs(v - 2) < 1e-12 for v in fit.local)
