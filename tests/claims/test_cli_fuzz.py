"""Hypothesis fuzz of the command line and of the public parsing API: whatever the text, the
answer is a value or one ``InputError`` line (exit 2), never another exception, a traceback, an
"internal error" (exit 3) or a hang. Small ``max_examples`` keep it in the default run."""

from __future__ import annotations

import argparse
import time

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gfverify.claims import cli
from gfverify.claims.options import bounded_int, dps, nonnegative_int, positive_int
from gfverify.errors import InputError
from gfverify.theory.expressions import parse_expression, parse_matrix, parse_number

Z = sympy.Symbol("z", real=True)
HOSTILE = ["inf", "-inf", "nan", "1e400", "-1", "0", "1e9", "1.5", "", " ", "abc", "z", "I*z",
           "__import__('os').getcwd()", "[[1]]", "eye(22)/2", "z**100000", "1/0", "\x00", "-", "--",
           "(" * 100, "exp(" * 70 + "z" + ")" * 70, "1e6", "3", "0.5", "3:1", "[[1/2]]", "2,8,2"]
# text made of the grammar's own characters, so that much of it gets deep into the parser
GRAMMAR = st.text(alphabet="z12304.e+-*/^() ,[]_'abcdijklmnopqrstuxyEIMS", max_size=40)
TEXT = st.one_of(st.sampled_from(HOSTILE), GRAMMAR, st.text(max_size=20))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLI = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(TEXT)
def test_parsers_answer_a_value_or_one_line(text):
    start = time.perf_counter()
    for parse in (lambda t: parse_expression(t, [Z], "link"), parse_number,
                  lambda t: parse_matrix(t, "--N")):
        try:
            value = parse(text)
        except InputError as exc:
            assert "\n" not in str(exc)
            continue
        assert isinstance(value, (sympy.Expr, sympy.MatrixBase))
        assert not value.has(sympy.I, sympy.zoo, sympy.nan)
    assert time.perf_counter() - start < 2


@FAST
@given(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)))
def test_integer_options(text):
    for parse in (positive_int, nonnegative_int, dps, bounded_int(1, 64)):
        try:
            value = parse(text)
        except argparse.ArgumentTypeError:
            continue
        assert isinstance(value, int) and value >= 0


def _argv() -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.builds(lambda e, k, d: ["hermite", e, "--kmax", k, "--dps", d], TEXT,
                  st.sampled_from(["0", "2", "-1", "inf", "1e400", "201", "x"]),
                  st.sampled_from(["15", "20", "5", "nan", "1e9"])),
        st.builds(lambda e, n: ["average", e, "--N", n], TEXT, TEXT),
        st.builds(lambda e, a, b: ["loss", e, "--wstar", a, "--w", b], TEXT, TEXT, TEXT),
        st.builds(lambda a, d, t: ["escape", "--alphas", a, "--d", d, "--to", t], TEXT, TEXT,
                  st.sampled_from(["nan", "1", "2", "-0.5", "abc", "0.5", "1e400"])),
        st.builds(lambda w, n: ["interpolate", "--widths", w, "--n", n], TEXT,
                  st.sampled_from(["inf", "1e400", "0", "33", "-1", "x"])),
        st.builds(lambda j, d, t: ["verify", "--only", "no.such.claim.*", "--jobs", j, "--dps", d,
                                   "--tier", t], TEXT, TEXT, st.sampled_from(["quick", "full", "x"])),
        st.builds(lambda c: ["show", c], TEXT),
        st.lists(TEXT, max_size=4))


@CLI
@given(_argv())
def test_cli_never_crashes(argv):
    import contextlib
    import io

    err, out = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code
    assert code in (0, 1, 2), err.getvalue()
    if code == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gfverify: error: "), err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert time.perf_counter() - start < 30
