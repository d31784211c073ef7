"""A claim's derivation as data: steps of prose with inline sympy math, displayed sympy
formulas and verbatim text, rendered three ways from one source -- plain text for
``gfverify show``, LaTeX for a paper (``show --latex``) and HTML with MathML for the report
(``verify --report``). A derivation function may still return a plain ``str``: it is kept
verbatim (:func:`coerce`)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Union

import sympy

#: What a step may show as math: an expression, an (unevaluated) equation or a matrix.
Math = Union[sympy.Basic, sympy.MatrixBase]


@dataclass(frozen=True)
class Line:
    """One paragraph: prose (Unicode inline math) with sympy objects inline."""

    parts: tuple[Union[str, Math], ...]


@dataclass(frozen=True)
class Display:
    """A displayed sympy formula, after an optional line of prose that leads into it."""

    math: Math
    lead: str = ""


@dataclass(frozen=True)
class Verbatim:
    """Preformatted text, kept as it is (a derivation given as a plain ``str``)."""

    text: str


Step = Union[Line, Display, Verbatim]


@dataclass(frozen=True)
class Derivation:
    """The steps of a derivation, in reading order."""

    steps: tuple[Step, ...]

    @classmethod
    def of(cls, *steps: Union[str, tuple, Step]) -> "Derivation":
        """A derivation from its steps: a ``str`` is a line of prose, a tuple a line mixing
        prose and sympy objects; :class:`Display` and :class:`Verbatim` are taken as they are."""
        return cls(tuple(Line((s,)) if isinstance(s, str) else Line(s) if isinstance(s, tuple)
                         else s for s in steps))

    def text(self) -> str:
        """Plain text, as ``gfverify show`` prints it: inline math by ``sympy.sstr``, displayed
        math by ``sympy.pretty``."""
        return "\n".join(_step_text(s) for s in self.steps)

    def latex(self) -> str:
        """LaTeX (amsmath): consecutive lines form a paragraph, broken with ``\\\\`` where the
        text breaks, inline math as ``$…$``, displayed math as ``\\[…\\]``; the prose is escaped
        and keeps its Unicode (XeLaTeX or LuaLaTeX)."""
        out = ""
        for previous, step in zip((None, *self.steps), self.steps):
            joint = "" if previous is None else \
                " \\\\\n" if isinstance(previous, Line) and isinstance(step, Line) else "\n\n"
            out += joint + _step_latex(step)
        return out

    def html(self) -> str:
        """An HTML fragment: ``<p>`` per line, MathML (from the LaTeX) for the math."""
        return "\n".join(_step_html(s) for s in self.steps)


def equation(lhs: Union[str, Math], rhs: Math) -> sympy.Equality:
    """``lhs = rhs`` kept as written (unevaluated); a ``str`` left side becomes a symbol."""
    return sympy.Eq(sympy.Symbol(lhs) if isinstance(lhs, str) else lhs, rhs, evaluate=False)


def coerce(value: Union[Derivation, str]) -> Derivation:
    """A derivation function's result as a :class:`Derivation` (a ``str`` becomes verbatim)."""
    return value if isinstance(value, Derivation) else Derivation((Verbatim(str(value)),))


def mathml(latex: str, display: bool = False) -> str:
    """MathML Core for the LaTeX ``latex`` (latex2mathml, at build time: the page needs no
    script or font download); LaTeX the converter cannot read is shown as code."""
    from latex2mathml.converter import convert

    try:
        return convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any converter failure falls back to the source text
        return f'<code class="latex">{html.escape(latex)}</code>'


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_text(prose: str) -> str:
    """``prose`` escaped for a LaTeX paragraph (its Unicode kept)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in prose)


def _is_math(part: object) -> bool:
    return isinstance(part, (sympy.Basic, sympy.MatrixBase))


def _sstr(math: Math) -> str:
    if isinstance(math, sympy.Equality):
        return f"{sympy.sstr(math.lhs)} = {sympy.sstr(math.rhs)}"
    return sympy.sstr(math)


def _step_text(step: Step) -> str:
    if isinstance(step, Line):
        return "".join(_sstr(p) if _is_math(p) else p for p in step.parts)
    if isinstance(step, Display):
        body = sympy.pretty(step.math, wrap_line=False)
        return f"{step.lead}\n{body}" if step.lead else body
    return step.text


def _step_latex(step: Step) -> str:
    if isinstance(step, Line):
        return "".join(f"${sympy.latex(p)}$" if _is_math(p) else latex_text(p) for p in step.parts)
    if isinstance(step, Display):
        shown = f"\\[ {sympy.latex(step.math)} \\]"
        return f"{latex_text(step.lead)}\n{shown}" if step.lead else shown
    return f"\\begin{{verbatim}}\n{step.text}\n\\end{{verbatim}}"


def _step_html(step: Step) -> str:
    if isinstance(step, Line):
        return "<p>" + "".join(mathml(sympy.latex(p)) if _is_math(p) else html.escape(p)
                               for p in step.parts) + "</p>"
    if isinstance(step, Display):
        lead = f"<p>{html.escape(step.lead)}</p>" if step.lead else ""
        return f'{lead}<div class="display">{mathml(sympy.latex(step.math), display=True)}</div>'
    return f"<pre>{html.escape(step.text)}</pre>"
