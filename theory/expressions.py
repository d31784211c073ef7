"""User text -> sympy, without evaluating it as Python: a whitelist walk over Python's ``ast``.

``sympify``/``parse_expr`` run ``eval`` on the text, so the command line never calls them.
The accepted grammar (anything else is an :class:`~gfverify.errors.InputError`, one line):

- numbers: integers and decimals (``2``, ``0.5``, ``1e-3``), read as exact rationals from
  their decimal text (``0.1`` is ``1/10``); no complex literals;
- names: the caller's real symbols (``z`` or ``z1..zq``) and the constants ``pi`` and ``E``
  (``I`` is refused: links and matrices are real);
- the functions of :data:`FUNCTIONS` (``tanh(z)``, ``Max(z, 0)``, ``log(1 + exp(z))``, ...),
  positional arguments only;
- ``+ - * / **`` and unary ``+ -``; ``^`` is ``**`` (replaced before parsing, so ``z^3 - 1``
  is ``z**3 - 1``, not Python's xor); a power's exponent is a rational
  number (write ``exp(...)`` for variable exponents);
- for :func:`parse_matrix` also lists ``[[a, b], [c, d]]`` (a flat list is a column) and
  ``eye(n)``, combined with numbers by the same operators (``eye(3)/2``).

Size limits (named constants below, each quoted in its message) keep every accepted input
cheap to build: text length, syntax nesting, polynomial degree (a bound computed from the
tree: sums take the maximum, products add, powers multiply), digits of exact numbers and
the matrix side.
"""

from __future__ import annotations

import ast
import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Callable, Sequence

import sympy

from gfverify.errors import InputError

#: Longest text accepted (characters).
MAX_TEXT_LENGTH = 10_000
#: Deepest nesting of the syntax tree (operators, calls, lists).
MAX_DEPTH = 60
#: Largest polynomial degree (bound from the tree) and largest exponent of a symbolic power.
MAX_DEGREE = 200
#: Most decimal digits of any exact number built (numerator or denominator, literal or power).
MAX_DIGITS = 100
#: Most decimal digits, summed over one text, of the numbers under a root (``sqrt(n)``,
#: ``n**(1/3)``): sympy merges roots of products by factoring, which grows fast with the digits.
MAX_ROOT_DIGITS = 300
#: Largest number of rows or columns of a matrix (lists or ``eye(n)``).
MAX_MATRIX_SIDE = 64
#: Most arguments of ``Max``/``Min``.
MAX_ARGS = 32

#: The functions a user may call: name -> (sympy function, fewest arguments, most arguments).
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {
    **{name: (getattr(sympy, name), 1, 1) for name in (
        "exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "atan",
        "erf", "erfc", "Abs", "sign", "Heaviside")},
    "abs": (sympy.Abs, 1, 1),
    "Max": (sympy.Max, 2, MAX_ARGS),
    "Min": (sympy.Min, 2, MAX_ARGS),
}
CONSTANTS = {"pi": sympy.pi, "E": sympy.E}

_GROUP = {ast.Add: "+", ast.Sub: "+", ast.Mult: "*", ast.Div: "*"}
_FORBIDDEN = {ast.Attribute: "attribute access", ast.Subscript: "indexing",
              ast.Lambda: "lambda", ast.ListComp: "comprehensions",
              ast.GeneratorExp: "comprehensions", ast.SetComp: "comprehensions",
              ast.DictComp: "comprehensions", ast.Compare: "comparisons",
              ast.BoolOp: "and/or", ast.IfExp: "if/else", ast.NamedExpr: ":=",
              ast.JoinedStr: "strings", ast.Dict: "dicts", ast.Set: "sets",
              ast.Starred: "*-unpacking"}


def _shown(text: str) -> str:
    """``text`` for a one-line message: repr (escapes newlines), at most 60 characters."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _kind(value: object) -> str:
    if isinstance(value, sympy.MatrixBase):
        return f"a {value.rows}x{value.cols} matrix"
    return "a number" if getattr(value, "is_number", False) else "an expression"


def _digits(n: int) -> int:
    return int(abs(n).bit_length() * math.log10(2)) + 1


class _Walker:
    """Builds sympy from an ``ast`` tree, returning ``(value, degree bound)`` per node."""

    def __init__(self, text: str, what: str, names: dict[str, sympy.Symbol], matrices: bool,
                 max_degree: int = MAX_DEGREE):
        self.text, self.what, self.names, self.matrices = text, what, names, matrices
        self.max_degree = max_degree
        self.source = text.replace("^", "**")  # what is parsed (``text`` is what messages show)
        self.root_digits = 0

    def spend_root(self, base: sympy.Expr) -> None:
        """Count the digits of a number put under a root against :data:`MAX_ROOT_DIGITS`."""
        self.root_digits += sum(_digits(r.p) + _digits(r.q) for r in base.atoms(sympy.Rational))
        if self.root_digits > MAX_ROOT_DIGITS:
            raise self.fail(f"the numbers under roots have more than {MAX_ROOT_DIGITS} digits "
                            "in total")

    def fail(self, reason: str) -> InputError:
        return InputError(f"{self.what} {_shown(self.text)}: {reason}")

    def walk(self, node: ast.AST, depth: int) -> tuple[object, int]:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, ast.Constant):
            return self.constant(node), 0
        if isinstance(node, ast.Name):
            return self.name(node.id), (1 if node.id in self.names else 0)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            value, degree = self.walk(node.operand, depth + 1)
            return (-value if isinstance(node.op, ast.USub) else value), degree
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            (a, da), (b, db) = self.walk(node.left, depth + 1), self.walk(node.right, depth + 1)
            return self.power(a, da, b, db)
        if isinstance(node, ast.BinOp) and type(node.op) in _GROUP:
            return self.chain(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, (ast.List, ast.Tuple)) and self.matrices:
            return self.matrix(node, depth), 0
        what = _FORBIDDEN.get(type(node), type(node).__name__)
        if isinstance(node, ast.UnaryOp):
            what = "the operator " + {ast.Not: "not", ast.Invert: "~"}[type(node.op)]
        elif isinstance(node, ast.BinOp):
            what = f"the operator {type(node.op).__name__}"
        elif isinstance(node, (ast.List, ast.Tuple)):
            what = "lists"
        raise self.refusal(what)

    def refusal(self, what: str) -> InputError:
        return self.fail(f"not allowed: {what} (only numbers, {self._allowed_names()}, "
                         "+ - * / ** and the listed functions)")

    def _allowed_names(self) -> str:
        return ", ".join([*self.names, *CONSTANTS])

    def constant(self, node: ast.Constant) -> sympy.Rational:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "complex numbers" if isinstance(value, complex) else f"{type(value).__name__} values"
            raise self.fail(f"{kind} are not allowed")
        if isinstance(value, int):
            if _digits(value) > MAX_DIGITS:
                raise self.fail(f"a number has more than {MAX_DIGITS} digits")
            return sympy.Integer(value)
        source = ast.get_source_segment(self.source, node) or repr(value)
        try:
            exact = Decimal(source.replace("_", ""))
        except InvalidOperation:
            raise self.fail(f"cannot read the number {source!r}") from None
        if not exact.is_finite() or abs(exact.adjusted()) > MAX_DIGITS:
            raise self.fail(f"the number {source!r} has an exponent beyond ±{MAX_DIGITS}")
        fraction = Fraction(exact)
        return sympy.Rational(fraction.numerator, fraction.denominator)

    def name(self, name: str) -> sympy.Expr:
        if name in self.names:
            return self.names[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name == "I":
            raise self.fail("complex numbers (I) are not allowed; the value must be real")
        raise self.fail(f"unknown name {name!r}; allowed names: {self._allowed_names()}")

    def chain(self, node: ast.BinOp, depth: int) -> tuple[object, int]:
        # a + b - c ... and a * b / c ... nest to the left: walk the spine in a loop, and build
        # a scalar sum or product in one sympy call (pairwise it is quadratic in the length)
        group = _GROUP[type(node.op)]
        spine = []
        while isinstance(node, ast.BinOp) and _GROUP.get(type(node.op)) == group:
            spine.append(node)
            node = node.left
        first, degree = self.walk(node, depth + 1)
        parts = [(False, first)]
        for link in reversed(spine):
            value, d = self.walk(link.right, depth + 1)
            degree = max(degree, d) if group == "+" else degree + d
            if degree > self.max_degree:
                raise self.fail(f"polynomial degree above {self.max_degree}")
            parts.append((isinstance(link.op, (ast.Sub, ast.Div)), value))
        return self.checked(self.combine(group, parts)), degree

    def combine(self, group: str, parts: list[tuple[bool, object]]) -> object:
        """The sum (``group == "+"``) or product of the ``(inverted, value)`` parts, an
        inverted part being subtracted or divided by."""
        if not any(isinstance(v, sympy.MatrixBase) for _, v in parts):
            if group == "+":
                return sympy.Add(*[-v if inv else v for inv, v in parts])
            return sympy.Mul(*[1 / v if inv else v for inv, v in parts])
        (_, value), ops = parts[0], {("+", False): "+", ("+", True): "-", ("*", False): "*",
                                     ("*", True): "/"}
        for inv, b in parts[1:]:
            op = ops[group, inv]
            try:
                value = {"+": lambda: value + b, "-": lambda: value - b, "*": lambda: value * b,
                         "/": lambda: value / b}[op]()
            except (TypeError, ValueError, ArithmeticError, sympy.ShapeError):
                raise self.fail(f"cannot apply {op} to {_kind(value)} and {_kind(b)}") from None
        return value

    def power(self, a: object, da: int, b: object, db: int) -> tuple[object, int]:
        if db or not isinstance(b, sympy.Rational):
            raise self.fail("a power's exponent must be a rational number (use exp(...) for "
                            "a variable exponent)")
        p, q = abs(b.p), b.q
        if isinstance(a, sympy.MatrixBase):
            if q != 1 or p > self.max_degree:
                raise self.fail(f"a matrix power must be an integer of size at most {self.max_degree}")
        elif a.is_number:
            if max(p, q) > MAX_DIGITS:
                raise self.fail(f"an exponent of a number exceeds {MAX_DIGITS}")
            if q > 1:
                self.spend_root(a)
        elif max(p, q) > self.max_degree or da * math.ceil(p / q) > self.max_degree:
            raise self.fail(f"polynomial degree or exponent above {self.max_degree}")
        try:
            value = a**b
        except (TypeError, ValueError, ArithmeticError, sympy.NonSquareMatrixError) as exc:
            raise self.fail(f"cannot take the power: {type(exc).__name__}") from None
        return self.checked(value), da * math.ceil(p / q)

    def call(self, node: ast.Call, depth: int) -> tuple[object, int]:
        if not isinstance(node.func, ast.Name):
            raise self.refusal("calling anything but a listed function by name")
        name = node.func.id
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed (in {name}(...))")
        if name == "eye" and self.matrices:
            return self.eye(node), 0
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function {name!r}; allowed: {', '.join(FUNCTIONS)}")
        function, fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            count = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise self.fail(f"{name} takes {count} arguments, got {len(node.args)}")
        walked = [self.walk(arg, depth + 1) for arg in node.args]
        if any(isinstance(v, sympy.MatrixBase) for v, _ in walked):
            raise self.fail(f"{name} of a matrix is not allowed")
        if name == "sqrt" and walked[0][0].is_number:
            self.spend_root(walked[0][0])
        try:
            value = function(*(v for v, _ in walked))
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise self.fail(f"cannot evaluate {name}: {type(exc).__name__}") from None
        return self.checked(value), max(d for _, d in walked)

    def eye(self, node: ast.Call) -> sympy.Matrix:
        arg = node.args[0] if len(node.args) == 1 else None
        if not (isinstance(arg, ast.Constant) and type(arg.value) is int):
            raise self.fail("eye takes one integer, e.g. eye(2)")
        if not 1 <= arg.value <= MAX_MATRIX_SIDE:
            raise self.fail(f"eye(n) needs 1 <= n <= {MAX_MATRIX_SIDE}, got {arg.value}")
        return sympy.eye(arg.value)

    def matrix(self, node: ast.List | ast.Tuple, depth: int) -> sympy.Matrix:
        if not node.elts:
            raise self.fail("an empty list is not a matrix")
        if len(node.elts) > MAX_MATRIX_SIDE:
            raise self.fail(f"a matrix has at most {MAX_MATRIX_SIDE} rows and columns")
        if all(isinstance(e, (ast.List, ast.Tuple)) for e in node.elts):
            rows = [[self.entry(x, depth + 2) for x in self._row(e)] for e in node.elts]
            if len({len(r) for r in rows}) != 1:
                raise self.fail("the rows of a matrix differ in length")
            return sympy.Matrix(rows)
        return sympy.Matrix([self.entry(x, depth + 1) for x in node.elts])

    def _row(self, node: ast.List | ast.Tuple) -> list[ast.AST]:
        if not node.elts or len(node.elts) > MAX_MATRIX_SIDE:
            raise self.fail(f"a matrix row needs 1 to {MAX_MATRIX_SIDE} entries")
        return node.elts

    def entry(self, node: ast.AST, depth: int) -> sympy.Expr:
        value, _ = self.walk(node, depth)
        if not isinstance(value, sympy.Expr):
            raise self.fail("a matrix entry must be a number (lists nested too deep?)")
        return value

    def checked(self, value: object) -> object:
        """``value`` unless it is not finite or holds an exact number with too many digits."""
        entries = value if isinstance(value, sympy.MatrixBase) else [value]
        for e in entries:
            if e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                raise self.fail("the value is not finite (division by zero?)")
            for r in e.atoms(sympy.Rational):
                if max(_digits(r.p), _digits(r.q)) > MAX_DIGITS:
                    raise self.fail(f"an exact number exceeds {MAX_DIGITS} digits")
        return value


def _build(text: str, what: str, names: dict[str, sympy.Symbol], matrices: bool,
           max_degree: int = MAX_DEGREE) -> tuple:
    """Check ``text``'s type and size, parse it and walk it: ``(walker, value)``."""
    if not isinstance(text, str):
        raise InputError(f"{what} must be text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise InputError(f"{what} is {len(text)} characters long; the limit is {MAX_TEXT_LENGTH}")
    text = text.strip()
    if not text:
        raise InputError(f"{what} is empty")
    walker = _Walker(text, what, names, matrices, min(max_degree, MAX_DEGREE))
    try:
        tree = ast.parse(walker.source, mode="eval").body
    except SyntaxError as exc:
        raise walker.fail(f"syntax error ({' '.join(str(exc.msg).split())})") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise walker.fail(f"cannot be parsed ({type(exc).__name__}: too deeply nested?)") from None
    value, _ = walker.walk(tree, 0)
    if value.has(sympy.I):
        raise walker.fail("the value is complex; only real values are allowed")
    return walker, value


def parse_expression(text: str, symbols: Sequence[sympy.Symbol], what: str = "expression",
                     max_degree: int = MAX_DEGREE) -> sympy.Expr:
    """The real sympy expression written in ``text`` (grammar in the module docstring), in the
    given real ``symbols`` (matched by name); ``what`` names the input in error messages and
    ``max_degree`` (at most :data:`MAX_DEGREE`) bounds its polynomial degree."""
    walker, value = _build(text, what, {str(s): s for s in symbols}, False, max_degree)
    if not isinstance(value, sympy.Expr):
        raise walker.fail("not an expression")
    return value


def parse_number(text: str, what: str = "number") -> sympy.Expr:
    """The exact real number written in ``text`` (e.g. ``1e6``, ``1/2``, ``sqrt(2)``)."""
    return parse_expression(text, (), what)


def parse_matrix(text: str, name: str = "matrix") -> sympy.Matrix:
    """The real matrix written in ``text``: nested lists of numbers (``[[1/2, 0], [0, 1/3]]``;
    a flat list is a column) or ``eye(n)``, combined with numbers by ``+ - * / **``."""
    walker, value = _build(text, name, {}, matrices=True)
    if not isinstance(value, sympy.MatrixBase):
        raise walker.fail("not a matrix; write nested lists such as [[1/2, 0], [0, 1/3]]")
    return sympy.Matrix(value)
