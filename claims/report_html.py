"""The page ``gfverify verify --report DIR`` writes as ``DIR/index.html``: one self-contained
HTML file (figures inline as ``data:`` URIs, math as MathML made at build time, a few lines of
inline script for the filters; nothing is fetched) with the run's summary, the claim table
filterable by status, paper and kind, and for each claim its statement, source, routes,
derivation, evidence and figures. :func:`page` is pure (results in, HTML out); :func:`write`
gathers the figures and the environment and writes the file."""

from __future__ import annotations

import base64
import functools
import html
import inspect
import os
import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from gfverify.claims.derivation import coerce, mathml
from gfverify.claims.model import Claim, Result

STATUSES = ("PASS", "CERTIFIED", "FAIL", "ERROR", "SKIP")
#: Distributions whose versions the summary states (the ones whose arithmetic the verdicts use).
VERSIONED = ("gfverify", "sympy", "mpmath", "python-flint", "numpy", "latex2mathml")


@dataclass(frozen=True)
class Figure:
    """A PNG written by a ``@report`` writer of ``module``, with the writer's docstring as caption."""

    name: str
    png: bytes
    caption: str
    module: str


def module_of(claim: Claim) -> str:
    """The module that declares ``claim`` (its check function's module)."""
    return getattr(claim.check, "func", claim.check).__module__


def routes(claim: Claim) -> str:
    """The docstring of the claim's check: what route 1 and route 2 are."""
    return inspect.getdoc(getattr(claim.check, "func", claim.check)) or ""


def environment() -> dict[str, str]:
    """Versions of Python and of :data:`VERSIONED`, the platform, the cores and the time (UTC)."""
    env = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env[name] = "not installed"
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    env["platform"] = platform.platform()
    env["cores"] = f"{os.cpu_count()} ({usable} usable)"
    env["written"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return env


def write(directory: Path, results: Sequence[Result],
          drawn: Mapping[Callable[..., list[Path]], Sequence[Path]], dps: int) -> Path:
    """Write ``directory/index.html`` for ``results``; ``drawn`` maps each ``@report`` writer to
    the files it wrote (its PNGs are inlined, captioned by the writer's docstring)."""
    figures = [Figure(p.name, p.read_bytes(), inspect.getdoc(writer) or "", writer.__module__)
               for writer, paths in drawn.items() for p in paths if p.suffix == ".png"]
    path = directory / "index.html"
    path.write_text(page(results, figures, environment(), dps), encoding="utf-8")
    return path


def page(results: Sequence[Result], figures: Sequence[Figure], env: Mapping[str, str],
         dps: int) -> str:
    """The whole report page for ``results`` as an HTML string (pure: no file, no clock)."""
    by_module: dict[str, list[Figure]] = {}
    for fig in figures:
        by_module.setdefault(fig.module, []).append(fig)
    run_modules = {module_of(r.claim) for r in results}
    return "\n".join([
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>gfverify verification report</title>", f"<style>{_CSS}</style>", "</head>",
        "<body>", "<h1>gfverify verification report</h1>",
        _summary(results, env, dps), _table(results), _details(results, by_module),
        _figures([f for f in figures if f.module in run_modules], results, "Figures"),
        _figures([f for f in figures if f.module not in run_modules], (), "Other figures"),
        f"<script>{_SCRIPT}</script>", "</body>", "</html>", ""])


def _e(value: object) -> str:
    return html.escape(str(value))


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-" + "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def _badge(status: str) -> str:
    return f'<span class="badge s-{status}">{status}</span>'


def _summary(results: Sequence[Result], env: Mapping[str, str], dps: int) -> str:
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    verdict = "every claim holds" if all(r.ok for r in results) else "not every claim holds"
    machine = ("platform", "cores")
    rows = [("claims", f"{len(results)}: " + ", ".join(f"{n} {_badge(s)}" for s, n in counts.items() if n)
             + f" &mdash; {verdict}"),
            ("time", f"{sum(r.seconds for r in results):.1f} s (sum over the claims), at {dps} digits "
                     "and a second, higher precision"),
            ("versions", " &middot; ".join(f"{_e(k)} {_e(v)}" for k, v in env.items()
                                           if k not in (*machine, "written"))),
            ("machine", " &middot; ".join(f"{k} {_e(env[k])}" for k in machine if k in env)),
            ("written", _e(env.get("written", "")))]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<section id="summary"><h2>Summary</h2><dl class="summary">{body}</dl></section>'


def _routes_cells(method: str) -> str:
    left, sep, right = method.partition(" vs ")
    if not sep:
        return f'<td colspan="2">{_e(method)}</td>'
    return f"<td>{_e(left)}</td><td>{_e(right)}</td>"


def _select(key: str, label: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return (f'<label>{label} <select id="filter-{key}" data-key="{key}">'
            f'<option value="">all</option>{options}</select></label>')


def _table(results: Sequence[Result]) -> str:
    rows = []
    for r in results:
        rec = r.as_json()
        c = r.claim
        digits = "–" if rec["digits"] is None else f"{rec['digits']:.0f}"
        rows.append(
            f'<tr data-status="{r.status}" data-paper="{c.source.paper}" data-kind="{c.kind}">'
            f'<td><a href="#{_anchor("claim", c.id)}">{_e(c.id)}</a></td><td>{_badge(r.status)}</td>'
            f"<td>{_e(c.kind)}</td><td>{c.source.paper} {c.source.statement}</td>"
            f'<td class="num">{_e(rec["residual"] or "–")}</td>'
            f'<td class="num">{_e(rec["tolerance"] or "–")}</td><td class="num">{digits}</td>'
            f'{_routes_cells(rec["method"] or "")}<td class="num">{r.seconds:.2f}</td></tr>')
    present = lambda f: sorted({f(r) for r in results})  # noqa: E731
    filters = (_select("status", "status", [s for s in STATUSES if s in present(lambda r: r.status)])
               + _select("paper", "paper", present(lambda r: r.claim.source.paper))
               + _select("kind", "kind", present(lambda r: r.claim.kind))
               + f' <span class="shown"><span id="shown">{len(results)}</span> of {len(results)} '
                 "shown</span>")
    head = "".join(f"<th>{h}</th>" for h in ("claim", "status", "kind", "source", "residual",
                                             "tolerance", "digits", "route 1", "route 2", "s"))
    return (f'<section id="claims"><h2>Claims</h2><p class="filters">{filters}</p>'
            f'<table id="claim-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></section>")


def _evidence(r: Result) -> str:
    rec, ev = r.as_json(), r.evidence
    items = [("status", _badge(r.status)), ("method", _e(rec["method"] or "–"))]
    if ev is not None:
        items += [("residual", _e(rec["residual"])), ("tolerance", _e(rec["tolerance"])),
                  ("digits agreed", _e("– (exact)" if rec["digits"] is None else rec["digits"])),
                  ("certified", "yes" if ev.certified else "no")]
        if "exponent" in rec:
            items.append(("exponent", _e(" ± ".join(rec["exponent"]))))
        items += [(_e(k), _e(v)) for k, v in ev.details.items()]
    items.append(("seconds", f"{r.seconds:.3f}"))
    if r.note:
        items.append(("note", _e(r.note)))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    trace = f"<pre>{_e(r.trace)}</pre>" if r.trace else ""
    return f'<dl class="evidence">{body}</dl>{trace}'


def _paragraphs(text: str) -> str:
    """A docstring as HTML paragraphs: blank lines separate them, single line breaks are spaces."""
    return "".join(f"<p>{_e(' '.join(block.split()))}</p>" for block in text.split("\n\n") if block.strip())


def _derivation(claim: Claim, built: dict) -> str:
    """The claim's derivation as HTML; ``built`` keeps those already made this page, since
    several claims share one (the same function with the same parameters)."""
    if claim.derivation is None:
        return ""
    d = claim.derivation
    key = (d.func, d.args, tuple(sorted(d.keywords.items()))) if isinstance(d, functools.partial) else d
    try:
        return built[key]
    except TypeError:  # unhashable parameters: build it every time
        key = None
    except KeyError:
        pass
    try:
        body = coerce(d()).html()
    except Exception as exc:  # noqa: BLE001 - one broken derivation must not lose the report
        body = f'<p class="error">the derivation could not be built: {_e(type(exc).__name__)}: {_e(exc)}</p>'
    out = f'<details class="derivation" open><summary>Derivation</summary>{body}</details>'
    if key is not None:
        built[key] = out
    return out


def _details(results: Sequence[Result], by_module: Mapping[str, list[Figure]]) -> str:
    articles, built = [], {}
    for r in results:
        c = r.claim
        figs = by_module.get(module_of(c), [])
        links = ", ".join(f'<a href="#{_anchor("figure", f.name)}">{_e(f.name)}</a>' for f in figs)
        doc = routes(c)
        articles.append(
            f'<article class="claim" id="{_anchor("claim", c.id)}" data-status="{r.status}" '
            f'data-paper="{c.source.paper}" data-kind="{c.kind}">'
            f'<h3>{_e(c.id)} {_badge(r.status)} '
            f'<span class="meta">{_e(c.kind)}, tier {_e(c.tier)}</span></h3>'
            f'<p class="statement">{_e(c.statement)}</p>'
            f'<div class="display">{mathml(c.latex, display=True)}</div>'
            f'<p class="source">Source: {_e(c.source)}</p>'
            + (f"<h4>Routes</h4>{_paragraphs(doc)}" if doc else "")
            + _derivation(c, built) + "<h4>Evidence</h4>" + _evidence(r)
            + (f'<p class="figlinks">Figures: {links}</p>' if links else "") + "</article>")
    return f'<section id="details"><h2>The claims one by one</h2>{"".join(articles)}</section>'


def _figures(figures: Sequence[Figure], results: Sequence[Result], title: str) -> str:
    if not figures:
        return ""
    items = []
    for f in figures:
        claims = [r.claim.id for r in results if module_of(r.claim) == f.module]
        about = ", ".join(f'<a href="#{_anchor("claim", i)}">{_e(i)}</a>' for i in claims)
        data = base64.b64encode(f.png).decode("ascii")
        items.append(f'<figure id="{_anchor("figure", f.name)}"><img src="data:image/png;base64,{data}" '
                     f'alt="{_e(f.caption or f.name)}"><figcaption><b>{_e(f.name)}</b>. {_e(f.caption)}'
                     + (f" Claims: {about}." if about else "") + "</figcaption></figure>")
    slug = title.lower().replace(" ", "-")
    return f'<section id="{slug}"><h2>{_e(title)}</h2>{"".join(items)}</section>'


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#1a1a1a}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:1.6em}h3{margin:0 0 .3em}
h4{margin:.8em 0 .2em;font-size:1em}
math{font-family:"STIX Two Math","Latin Modern Math","DejaVu Math TeX Gyre",math}
table{border-collapse:collapse}td,th{padding:.2em .5em;border-bottom:1px solid #e3e3e3;vertical-align:top}
#claim-table th{position:sticky;top:0;background:#f4f4f4;text-align:left}
#claim-table td{font-size:.9em}.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:0 .45em;border-radius:.3em;font-size:.85em;font-weight:600;color:#fff}
.s-PASS{background:#2e7d32}.s-CERTIFIED{background:#1b5e20}.s-FAIL{background:#c62828}
.s-ERROR{background:#8e24aa}.s-SKIP{background:#b8860b}
.filters label{margin-right:1em}.shown{color:#555}
article.claim{border:1px solid #ddd;border-radius:.4em;padding:.8em 1em;margin:1em 0}
.meta{font-weight:normal;color:#666;font-size:.8em}.statement{font-size:1.05em}
.display{overflow-x:auto;padding:.2em 0}.source,.figlinks{color:#444;font-size:.9em}
details.derivation p{margin:.15em 0;white-space:pre-wrap}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:.85em}
dl.summary,dl.evidence{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.3em 0}
dl dt{font-weight:600}dl dd{margin:0;overflow-wrap:anywhere}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
.error{color:#c62828}
"""

_SCRIPT = """
(function () {
  var filters = Array.prototype.slice.call(document.querySelectorAll("select[data-key]"));
  function apply() {
    var shown = 0;
    document.querySelectorAll("tr[data-status], article[data-status]").forEach(function (el) {
      var keep = filters.every(function (s) { return !s.value || el.dataset[s.dataset.key] === s.value; });
      el.hidden = !keep;
      if (keep && el.tagName === "TR") { shown += 1; }
    });
    document.getElementById("shown").textContent = String(shown);
  }
  filters.forEach(function (s) { s.addEventListener("change", apply); });
  apply();
})();
"""
