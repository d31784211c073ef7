"""The whitelist parser of user text: what it accepts equals what sympy means by it, what it
refuses is one InputError line, and it never evaluates Python."""

from __future__ import annotations

import time

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from gfverify.errors import InputError
from gfverify.theory import expressions as ex
from gfverify.theory.expressions import parse_expression, parse_matrix, parse_number

Z = sympy.Symbol("z", real=True)
Z1, Z2 = sympy.symbols("z1:3", real=True)


@pytest.mark.parametrize("text, want", [
    ("tanh(z)", sympy.tanh(Z)),
    ("Max(z, 0)", sympy.Max(Z, 0)),
    ("z**3 - 3*z", Z**3 - 3 * Z),
    ("z^3 - 3*z", Z**3 - 3 * Z),
    ("sign(z)", sympy.sign(Z)),
    ("erf(z)", sympy.erf(Z)),
    ("log(1+exp(z))", sympy.log(1 + sympy.exp(Z))),
    ("abs(z) + Abs(z)", 2 * sympy.Abs(Z)),
    ("0.1*z", Z / 10),
    ("1e-3 + 2.5e2", sympy.Rational(250001, 1000)),
    ("z**0.5", sympy.sqrt(Z)),
    ("-(z - 1)/(2*pi)", -(Z - 1) / (2 * sympy.pi)),
    ("exp(-z**2/4) * E", sympy.exp(-Z**2 / 4) * sympy.E),
    ("Heaviside(z) * Min(z, 1, 2)", sympy.Heaviside(Z) * sympy.Min(Z, 1)),
    ("z - z/2 - z/3 + 1_000", Z / 6 + 1000),
])
def test_accepts_and_means_what_sympy_means(text, want):
    assert sympy.simplify(parse_expression(text, [Z]) - want) == 0


def test_multi_index_symbols_and_numbers():
    assert parse_expression("z1*z2 + z1", [Z1, Z2]) == Z1 * Z2 + Z1
    assert parse_number("1e52") == sympy.Integer(10) ** 52
    assert parse_number("sqrt(2)/2") == sympy.sqrt(2) / 2


@pytest.mark.parametrize("text, want", [
    ("[[1/2, 1/3], [0, 1/2]]", sympy.Matrix([[sympy.Rational(1, 2), sympy.Rational(1, 3)],
                                             [0, sympy.Rational(1, 2)]])),
    ("[3/5, 4/5, 0]", sympy.Matrix([sympy.Rational(3, 5), sympy.Rational(4, 5), 0])),
    ("[[1], [0], [0]]", sympy.Matrix([1, 0, 0])),
    ("eye(3)/2", sympy.eye(3) / 2),
    ("2*eye(2) - [[1, 0], [0, 1]]", sympy.eye(2)),
    ("[[sqrt(2)/2, 0.5]]", sympy.Matrix([[sympy.sqrt(2) / 2, sympy.Rational(1, 2)]])),
])
def test_matrices(text, want):
    assert parse_matrix(text, "N") == want


@pytest.mark.parametrize("text, fragment", [
    ("__import__('os').getcwd()", "calling anything but a listed function"),
    ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
    ("z.real", "attribute access"),
    ("z[0]", "indexing"),
    ("lambda: z", "lambda"),
    ("[z for z in (1,)]", "comprehensions"),
    ("exp(x=z)", "keyword arguments"),
    ("'z'", "str values"),
    ("b'z'", "bytes values"),
    ("True", "bool values"),
    ("None", "NoneType values"),
    ("1j*z", "complex numbers"),
    ("I*z", "complex numbers (I)"),
    ("sqrt(-1)*z", "complex"),
    ("log(-2)", "complex"),
    ("z < 1", "comparisons"),
    ("z and 1", "and/or"),
    ("z if z else 1", "if/else"),
    ("(y := z)", ":="),
    ("f'{z}'", "strings"),
    ("{z: 1}", "dicts"),
    ("z % 2", "Mod"),
    ("~z", "~"),
    ("y", "unknown name 'y'"),
    ("_", "unknown name '_'"),
    ("__builtins__", "unknown name"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("eye(2)", "unknown function 'eye'"),
    ("tanh(z, z)", "takes 1 arguments"),
    ("Max(z)", "takes 2 to"),
    ("z**z", "rational number"),
    ("2**z", "rational number"),
    ("z**100000", f"above {ex.MAX_DEGREE}"),
    ("(z**100)**3", f"above {ex.MAX_DEGREE}"),
    ("z" + "*z" * 250, f"above {ex.MAX_DEGREE}"),
    ("10**10**10", f"exceeds {ex.MAX_DIGITS}"),
    ("1e400000", f"beyond ±{ex.MAX_DIGITS}"),
    ("9" * 101, f"more than {ex.MAX_DIGITS} digits"),
    ("*".join(f"sqrt(10**99+{k})" for k in range(5)), f"more than {ex.MAX_ROOT_DIGITS} digits"),
    ("z/0", "not finite"),
    ("log(0)", "not finite"),
    ("tanh(", "syntax error"),
    ("z;z", "syntax error"),
    ("z\x00", "syntax error"),
    ("", "empty"),
    ("z" * (ex.MAX_TEXT_LENGTH + 1), f"the limit is {ex.MAX_TEXT_LENGTH}"),
    ("(" * 300 + "z" + ")" * 300, "syntax error"),
    ("exp(" * 61 + "z" + ")" * 61, f"deeper than {ex.MAX_DEPTH}"),
    ("[[1]]", "lists"),
])
def test_refuses_with_one_line(text, fragment):
    with pytest.raises(InputError) as info:
        parse_expression(text, [Z], "link")
    message = str(info.value)
    assert fragment in message and "\n" not in message and message.startswith("link")


@pytest.mark.parametrize("text, fragment", [
    ("eye(100)", f"1 <= n <= {ex.MAX_MATRIX_SIDE}"),
    ("eye(z)", "one integer"),
    ("[[1, 2], [3]]", "differ in length"),
    ("[]", "empty list"),
    ("[[[1]]]", "entry must be a number"),
    ("[[z]]", "unknown name 'z'"),
    ("[[I]]", "complex"),
    ("eye(2) * [[1, 2, 3]]", "a 2x2 matrix and a 1x3 matrix"),
    ("eye(2) + 1", "a 2x2 matrix and a number"),
    ("[[1, 2]]**2", "NonSquareMatrixError"),
    ("eye(2)**1000", "matrix power"),
    ("exp([[1]])", "of a matrix"),
    ("[[1/0]]", "not finite"),
    ("1/2", "not a matrix"),
    ("[" + ",".join(["1"] * 65) + "]", f"at most {ex.MAX_MATRIX_SIDE}"),
])
def test_matrix_refusals(text, fragment):
    with pytest.raises(InputError, match=None) as info:
        parse_matrix(text, "--N")
    assert fragment in str(info.value) and str(info.value).startswith("--N")


def test_default_degree_limit_is_the_documented_one():
    """docs/bad_inputs.md: polynomial degree at most 200 (MAX_DEGREE), the limit itself allowed."""
    assert parse_expression("z**200", [Z]) == Z**200
    with pytest.raises(InputError, match="above 200"):
        parse_expression("z**201", [Z])


def test_caller_degree_limit_and_non_text():
    with pytest.raises(InputError, match="above 3"):
        parse_expression("z**4", [Z], max_degree=3)
    assert parse_expression("z**3", [Z], max_degree=3) == Z**3
    with pytest.raises(InputError, match="must be text"):
        parse_expression(3, [Z])  # type: ignore[arg-type]


@pytest.mark.timing
def test_long_inputs_stay_fast():
    start = time.perf_counter()
    parse_expression("+".join(f"z**{k % 150}" for k in range(1500)), [Z])
    parse_expression("-".join(f"z/{k + 1}" for k in range(40)), [Z])
    with pytest.raises(InputError):
        parse_expression("*".join(f"sqrt(10**99+{k})" for k in range(500)), [Z])
    assert time.perf_counter() - start < 5


_ATOMS = st.sampled_from(["z", "1", "2", "0.5", "pi", "E", "1e3", "(z-1)"])
_FUNCS = st.sampled_from(sorted(set(ex.FUNCTIONS) - {"Max", "Min"}))


def _compose(children):
    return st.one_of(
        st.builds(lambda a, op, b: f"({a}{op}{b})", children, st.sampled_from("+-*/"), children),
        st.builds(lambda f, a: f"{f}({a})", _FUNCS, children),
        st.builds(lambda a, n: f"({a})**{n}", children, st.integers(0, 3)),
        st.builds(lambda a, b: f"Max({a}, {b})", children, children))


@settings(max_examples=60, deadline=None)
@given(st.recursive(_ATOMS, _compose, max_leaves=8))
def test_agrees_with_sympy_on_whitelisted_text(text):
    """On text inside the grammar, the parser means what sympy's own reading means (sympify is
    used here only on text generated by the test itself)."""
    try:
        mine = parse_expression(text, [Z])
    except InputError:
        return  # e.g. a division by zero or a complex value: refused, never a wrong expression
    theirs = sympy.sympify(text, locals={"z": Z}, rational=True)
    difference = sympy.simplify(mine - theirs)
    assert difference == 0 or difference.equals(0) is not False


def test_rational_powers_of_numbers_are_roots_within_the_budget():
    """2**(1/2) is √2 and 8**(2/3) is 4; rational powers of numbers are charged to the same digit
    budget as sqrt: five cube roots of 100-digit numbers exceed MAX_ROOT_DIGITS."""
    assert parse_expression("2**(1/2)", [Z]) == sympy.sqrt(2)
    assert parse_expression("8**(2/3) + z", [Z]) == 4 + Z
    text = "*".join(f"(10**99+{k})**(1/3)" for k in range(5))
    with pytest.raises(InputError, match=f"more than {ex.MAX_ROOT_DIGITS} digits"):
        parse_expression(text, [Z])
    # numerator and denominator both count: 1/(10**49 + k) has 1 + 50 digits, six of them 306
    text = "+".join(f"(1/(10**49+{k}))**(1/3)" for k in range(6))
    with pytest.raises(InputError, match=f"more than {ex.MAX_ROOT_DIGITS} digits"):
        parse_expression(text, [Z])


def test_an_exact_result_with_too_many_digits_is_refused():
    """10**99 is allowed (100 digits), 10**99 * 100 has 102 digits: refused, also inside a matrix."""
    assert parse_expression("10**99", [Z]) == sympy.Integer(10) ** 99
    with pytest.raises(InputError, match=f"exceeds {ex.MAX_DIGITS} digits"):
        parse_expression("10**99 * 100 * z", [Z])
    with pytest.raises(InputError, match=f"exceeds {ex.MAX_DIGITS} digits"):
        parse_matrix("[[10**99 * 100]]")


@pytest.mark.parametrize("text", ["[[], [1]]", "[[" + ",".join(["1"] * 65) + "]]"])
def test_a_matrix_row_of_the_wrong_size_is_refused(text):
    with pytest.raises(InputError, match=f"row needs 1 to {ex.MAX_MATRIX_SIDE} entries"):
        parse_matrix(text, "--N")


def test_a_product_chain_reaches_the_degree_limit_exactly():
    """z*z*…*z with 200 factors is degree 200 (allowed), with 201 factors refused."""
    assert parse_expression("*".join(["z"] * 200), [Z]) == Z**200
    with pytest.raises(InputError, match="above 200"):
        parse_expression("*".join(["z"] * 201), [Z])


def test_the_depth_limit_is_exactly_the_documented_one():
    """60 nested calls are allowed and 61 refused (docs/bad_inputs.md: 60 levels)."""
    assert parse_expression("exp(" * 60 + "z" + ")" * 60, [Z]) is not None
    with pytest.raises(InputError, match="nested deeper than 60 levels"):
        parse_expression("exp(" * 61 + "z" + ")" * 61, [Z])


def test_matrix_entries_start_below_their_brackets():
    """An entry of [[…]] sits two levels down and one of […] one level: 58 and 59 unary minus
    signs are the most that fit in MAX_DEPTH = 60, one more is refused."""
    for opening, most in (("[[", 58), ("[", 59)):
        closing = "]" * len(opening)
        assert parse_matrix(opening + "-" * most + "1" + closing) == sympy.Matrix([[(-1) ** most]])
        with pytest.raises(InputError, match=f"deeper than {ex.MAX_DEPTH}"):
            parse_matrix(opening + "-" * (most + 1) + "1" + closing)


@pytest.mark.parametrize("levels, ok", [(50, True), (70, False)])
def test_nested_powers_count_towards_the_depth_on_both_sides(levels, ok):
    """Powers nested to the right, 1**(1**(…(2)…)), and to the left, ((z**1)**1)…: each level
    is one level deeper, both sides count, and 50 levels stay within MAX_DEPTH = 60."""
    right = "1**(" * levels + "2" + ")" * levels
    left = "(" * levels + "z" + "**1)" * levels
    for text, want in ((right, 1), (left, Z)):
        if ok:
            assert parse_expression(text, [Z]) == want
        else:
            with pytest.raises(InputError, match=f"deeper than {ex.MAX_DEPTH}"):
                parse_expression(text, [Z])
