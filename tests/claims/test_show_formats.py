"""`gfverify show ID --latex` and `--json` (docs/cli.md), and the structured derivations behind
them (claims/derivation.py): one source rendered as text, LaTeX and MathML."""

from __future__ import annotations

import json
import re

import pytest
import sympy

from gfverify.claims import cli, registry
from gfverify.claims.commands.show import JSON_SCHEMA
from gfverify.claims.derivation import Derivation, Display, coerce, equation, mathml
from gfverify.theory import hermite as exact


def _balanced(tex: str) -> bool:
    """Unescaped braces nest properly, and \\[ … \\] and \\begin … \\end pair up."""
    depth = 0
    for brace in re.findall(r"(?<!\\)[{}]", tex.replace("\\\\", "")):
        depth += 1 if brace == "{" else -1
        if depth < 0:
            return False
    envs = re.findall(r"\\(begin|end)\{(\w+)\}", tex)
    stack: list[str] = []
    for which, name in envs:
        if which == "begin":
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return depth == 0 and not stack and tex.count(r"\[") == tex.count(r"\]")


def test_latex_of_a_derivation_with_math(capsys):
    assert cli.main(["show", "hermite.coefficients.relu", "--latex"]) == 0
    tex = capsys.readouterr().out
    assert _balanced(tex)
    alpha2 = exact.hermite_coefficients(sympy.Max(exact.Z, 0), 2)[2]
    assert f"$\\alpha_{{2}} = {sympy.latex(alpha2)}$" in tex  # sympy's LaTeX of α_2 = 1/(2√π)
    assert r"\[ \alpha_k = \langle \max\left(0, z\right), h_k\rangle,\ k\le 30 \]" in tex
    assert tex.startswith("% gfverify claim hermite.coefficients.relu (identity, tier quick)")


def test_latex_of_a_displayed_matrix_is_balanced(capsys):
    assert cli.main(["show", "A.semigroup", "--latex"]) == 0
    tex = capsys.readouterr().out
    assert _balanced(tex) and r"\begin{matrix}" in tex and r"A\_N A\_M = A\_\{NM\}" in tex


def test_json_record_schema(capsys):
    assert cli.main(["show", "B.full_rank_solution", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"schema", "id", "kind", "tier", "statement", "latex", "source",
                           "derivation", "evidence"}
    assert record["schema"] == JSON_SCHEMA and record["id"] == "B.full_rank_solution"
    assert set(record["source"]) == {"paper", "section", "statement", "citation"}
    assert record["source"]["statement"] == "B4"
    assert set(record["derivation"]) == {"text", "latex"} and _balanced(record["derivation"]["latex"])
    evidence = record["evidence"]
    assert evidence["status"] == "PASS" and {"residual", "tolerance", "digits", "method",
                                             "seconds"} <= set(evidence)
    assert not {"id", "kind", "statement", "source"} & set(evidence)


def test_json_of_a_claim_without_derivation(capsys):
    assert registry.get("hermite.parseval.poly").derivation is None
    assert cli.main(["show", "hermite.parseval.poly", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["derivation"] is None


@pytest.mark.parametrize("flag", ["--latex", "--json", None])
def test_bad_id_is_one_line_and_exit_2(flag, capsys):
    assert cli.main(["show", "no.such.claim", *([flag] if flag else [])]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gfverify: error: no claim with id 'no.such.claim'")


def test_latex_and_json_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["show", "A.semigroup", "--latex", "--json"])
    assert stop.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


def test_one_derivation_three_renderings():
    x = sympy.Symbol("x")
    d = Derivation.of(("f(x) = ", x**2 / 2, " & 50% more_"), Display(sympy.Matrix([[1, x]]), "so"),
                      ("  ", equation("alpha_1", 1 / sympy.sqrt(3))))
    assert d.text().splitlines() == ["f(x) = x**2/2 & 50% more_", "so", "[1  x]", "  alpha_1 = sqrt(3)/3"]
    tex = d.latex()
    assert r"f(x) = $\frac{x^{2}}{2}$ \& 50\% more\_" in tex and _balanced(tex)
    assert r"\[ \left[\begin{matrix}1 & x\end{matrix}\right] \]" in tex
    assert r"$\alpha_{1} = \frac{\sqrt{3}}{3}$" in tex
    page = d.html()
    assert "&amp; 50% more_" in page and page.count("<math") == 3 and 'display="block"' in page


def test_plain_text_derivation_is_kept_verbatim():
    d = coerce("a <plain> derivation\n  with {braces}")
    assert d.text() == "a <plain> derivation\n  with {braces}"
    assert d.latex() == "\\begin{verbatim}\na <plain> derivation\n  with {braces}\n\\end{verbatim}"
    assert d.html() == "<pre>a &lt;plain&gt; derivation\n  with {braces}</pre>"


def test_every_claim_latex_becomes_mathml():
    """latex2mathml reads every claim's LaTeX (no fallback to the source shown as code) and
    leaves no command unconverted (docs/report.md gives the count)."""
    for claim in registry.all_claims():
        out = mathml(claim.latex, display=True)
        assert out.startswith("<math") and "\\" not in out, (claim.id, claim.latex)
    assert mathml(r"\frac{1}{").startswith('<code class="latex">')
