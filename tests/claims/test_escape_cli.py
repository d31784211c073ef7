"""``gfverify escape``: JSON contract, agreement of the two routes, one-line errors (exit 2)."""

import json

import mpmath
import pytest

from gfverify.claims.cli import main

KEYS = {"d", "m0", "m1", "planted", "T_closed_form", "T_ode", "engine", "digits_agreed"}


def _run(capsys, *argv):
    code = main(["escape", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_must_show_s3_d1e6(capsys):
    code, out, err = _run(capsys, "--alphas", "3:1", "--d", "1e6", "--to", "0.5", "--dps", "40", "--json")
    assert code == 0, err
    rec = json.loads(out)
    assert set(rec) == KEYS
    assert rec["d"] == 1000000 and rec["m0"] == "0.001" and rec["m1"] == "0.5" and rec["planted"] is False
    assert isinstance(rec["T_closed_form"], str) and isinstance(rec["T_ode"], str)
    assert rec["digits_agreed"] >= 30
    with mpmath.workdps(50):
        a, b = mpmath.mpf(rec["T_closed_form"]), mpmath.mpf(rec["T_ode"])
        assert abs(a - b) <= mpmath.mpf(10) ** -30 * a
        # leading term d^2/12 (docs/theory.md, s = 3, g = 1) to relative O(1/d)
        assert abs(a / (mpmath.mpf(10) ** 12 / 12) - 1) < 3e-6


def test_planted_polynomial_link(capsys):
    code, out, err = _run(capsys, "--link", "z**3 - 3*z", "--d", "1e4", "--to", "0.5", "--planted", "--json")
    assert code == 0, err
    rec = json.loads(out)
    assert rec["planted"] is True and rec["digits_agreed"] >= 25
    with mpmath.workdps(40):
        # z^3 - 3z = He_3 = sqrt(6) h_3, so alpha_3^2 = 6 and, planted,
        # T = (1/m0 - 1/m1 + atanh m1 - atanh m0)/(3 * 6) with m0 = 1/100
        want = (100 - 2 + mpmath.atanh(mpmath.mpf(1) / 2) - mpmath.atanh(mpmath.mpf(1) / 100)) / 18
        assert abs(mpmath.mpf(rec["T_closed_form"]) - want) < mpmath.mpf(10) ** -25


def test_table_output(capsys):
    code, out, _ = _run(capsys, "--alphas", "1:1", "--d", "100", "--to", "0.5", "--dps", "20")
    assert code == 0 and "T_closed_form" in out


@pytest.mark.parametrize("argv, fragment", [
    (["--alphas", "3:1", "--d", "1e6", "--to", "0.5", "--g", "2000"], "outside the open unit ball"),
    (["--alphas", "3:1", "--d", "1e6", "--to", "1"], "must lie in (m0, 1)"),
    (["--alphas", "3:1", "--d", "1e6", "--to", "0.0001"], "must lie in (m0, 1)"),
    (["--alphas", "3:1", "--d", "0", "--to", "0.5"], "d >= q"),
    (["--alphas", "3:1", "--d", "2.5", "--to", "0.5"], "integer"),
    (["--alphas", "3:1", "--d", "1e6", "--to", "0.5", "--dps", "20", "--digits", "30"], "too low"),
    (["--alphas", "3", "--d", "1e6", "--to", "0.5"], "malformed"),
    (["--alphas", "3:x", "--d", "1e6", "--to", "0.5"], "unknown name 'x'"),
    (["--alphas", "3:1,3:2", "--d", "1e6", "--to", "0.5"], "twice"),
    (["--alphas", "0:1", "--d", "1e6", "--to", "0.5"], "does not move"),
    (["--link", "exp(z**2)", "--d", "1e6", "--to", "0.5"], "L²"),
    (["--link", "z*y", "--d", "1e6", "--to", "0.5"], "allowed names: z, pi, E"),
    (["--alphas", "3:1", "--d", "1e4", "--to", "0.5", "--g", "-1", "--planted"], "never reaches"),
    (["--alphas", "3:1", "--d", "1e4", "--to", "abc"], "--to 'abc': unknown name"),
])
def test_bad_input_one_line(capsys, argv, fragment):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gfverify: error:"), err
    assert fragment in lines[0]


def test_link_and_alphas_are_exclusive(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["escape", "--link", "z", "--alphas", "1:1", "--d", "10", "--to", "0.5"])
    assert exc.value.code == 2
