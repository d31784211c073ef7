"""Certified escape-time claims: the true closed form is CERTIFIED and its 10⁻²⁰ twin FAILs
through the same judge and the same ball; m(T) ∋ ½ is CERTIFIED; ``escape --certify`` prints
the enclosures, or null and the reason."""

import json

import mpmath
import sympy

from gfverify.claims import cli
from gfverify.claims.registry import get
from gfverify.claims.statements import certified_escape as ce


def test_true_closed_form_certified_and_its_shifted_twin_fails(verdict):
    quad, closed = ce._routes(ce.H3, 10**6, False, 30)

    def check(factor):
        return lambda dps: ce._judge(quad, closed, factor, dps, "closed form in the enclosure")
    assert verdict(check(sympy.Integer(1)), "A13") == "CERTIFIED"
    assert verdict(check(1 + ce.OFFSET), "A13") == "FAIL"
    # the registered pair: the control passes exactly because its statement is refuted
    assert get("A.escape_time_certified").run(30).status == "CERTIFIED"
    assert get("A.escape_time_certified_control").run(30).status == "PASS"


def test_planted_and_log_part_certified():
    for suffix in ("_planted", "_h1_h3", "_planted_h1_h3"):
        assert get("A.escape_time_certified" + suffix).run(30).status == "CERTIFIED"


def test_m_of_t_certified():
    result = get("A.escape_m_of_T_certified").run(30)
    assert result.status == "CERTIFIED", result.note
    assert result.evidence.details["monotone_lemma"] is True


def _escape(capsys, *argv):
    assert cli.main(["escape", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_escape_certify_json(capsys):
    rec = _escape(capsys, "--alphas", "3:1", "--d", "1e2", "--to", "0.5", "--dps", "30", "--certify")
    T, m = rec["T_enclosure"], rec["m_T_enclosure"]
    assert rec["not_certified"] is None and "Taylor" in rec["m_T_method"] and rec["T_closed_form_inside"]
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(rec["T_closed_form"]) - mpmath.mpf(T["mid"])) <= (
            mpmath.mpf(T["rad"]) + mpmath.mpf(10) ** -20 * mpmath.mpf(T["mid"]))
        assert mpmath.mpf(T["rad"]) < mpmath.mpf(10) ** -30 * mpmath.mpf(T["mid"])
        assert abs(mpmath.mpf(m["mid"]) - mpmath.mpf("0.5")) <= mpmath.mpf(m["rad"]) < 1e-20


def test_escape_certify_says_why_not(capsys):
    rec = _escape(capsys, "--link", "exp(z**2/8)", "--d", "1e2", "--to", "0.5", "--dps", "20", "--certify")
    assert rec["T_enclosure"] is None and rec["m_T_enclosure"] is None and rec["T_closed_form_inside"] is None
    assert "tail bound" in rec["not_certified"] and rec["T_closed_form"]
