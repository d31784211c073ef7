"""`gfverify verify --report DIR` writes DIR/index.html, a self-contained page (docs/report.md).

One small run (six quick claims, one figure writer, and three injected claims: a false
statement, a skip and a crash, so the page shows PASS, FAIL, SKIP and ERROR) feeds two tests: the
page parsed with html.parser, and the page opened in headless Chromium (the system's browser
driven by Playwright; skipped with the reason when either is missing). Set
GFVERIFY_REPORT_SCREENSHOT=docs/images/report.png to refresh the screenshot in the docs (by
default it goes to a temporary directory, so a test run leaves the work tree clean)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gfverify.claims import cli, registry
from gfverify.claims.model import Claim, Evidence, Skip
from gfverify.claims.sources import source as cite
from gfverify.claims.statements import linear_interpolation

REAL = ("hermite.parseval.poly", "A.semigroup", "A.semigroup_order", "A.single_index_ode",
        "B.full_rank_solution", "B.duhamel_symbolic")
#: Launch flags that work as root in a container: no sandbox, no GPU, nothing fetched.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _false_statement(dps: int) -> Evidence:
    """The two sides differ by 1/3: the claim must come out FAIL."""
    return Evidence(holds=False, residual=1 / 3, tolerance=0, method="1 vs 2")


def _needs_a_device(dps: int) -> Evidence:
    raise Skip("needs a device this machine does not have")


def _crashes(dps: int) -> Evidence:
    raise ValueError("the injected check crashed")


INJECTED = (Claim(id="injected.false_statement", statement="an injected false statement: 1 = 2",
                  latex=r"1 = 2", source=cite("C1"), kind="identity", check=_false_statement,
                  derivation=lambda: "a plain-text derivation\n  is kept verbatim: <b>not bold</b>"),
            Claim(id="injected.skipped", statement="an injected claim that skips",
                  latex=r"\dot m = 0", source=cite("B1"), kind="property", check=_needs_a_device),
            Claim(id="injected.crash", statement="an injected claim whose check crashes",
                  latex=r"T(d) \sim d^{s-1}", source=cite("A13"), kind="ode", check=_crashes))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The report directory of one `verify --report` run through the command line."""
    claims = [registry.get(i) for i in REAL] + list(INJECTED)
    out = tmp_path_factory.mktemp("report") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(registry, "select", lambda tier, only: claims)
        mp.setattr(registry, "all_reports", lambda: [linear_interpolation.trajectories])
        assert cli.main(["verify", "--jobs", "1", "--report", str(out)]) == 1  # one claim FAILs
    return out


def _expected(report: Path) -> dict[str, str]:
    return {c["id"]: c["status"] for c in json.loads((report / "results.json").read_text())["claims"]}


class _Page(HTMLParser):
    """Every src/href, the claim table's rows (id, status) and the claim articles' ids."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: list[tuple[str, str]] = []
        self.articles: list[str] = []
        self._row: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.links += [a[k] for k in ("src", "href") if k in a]
        if tag == "tr" and "data-status" in a:
            self._row = a["data-status"]
        if tag == "article":
            self.articles.append(a["id"])

    def handle_data(self, data):
        if self._row is not None and data.strip():
            self.rows.append((data.strip(), self._row))
            self._row = None


def test_page_lists_every_claim_with_its_status_and_nothing_external(report):
    expected = _expected(report)
    assert set(expected.values()) == {"PASS", "FAIL", "SKIP", "ERROR"}
    assert len(expected) == len(REAL) + len(INJECTED)
    names = sorted(p.name for p in report.iterdir())
    assert "index.html" in names and not [n for n in names if n.startswith(".")]
    parsed = _Page()
    parsed.feed((report / "index.html").read_text(encoding="utf-8"))
    assert parsed.rows == list(expected.items())
    assert len(parsed.articles) == len(expected)
    assert parsed.links and all(link.startswith(("data:", "#")) for link in parsed.links), \
        [link[:60] for link in parsed.links if not link.startswith(("data:", "#"))]
    text = (report / "index.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text and "<b>not bold</b>" not in text  # escaped
    assert text.count("<math") > len(expected)  # statements and derivations as MathML
    assert "ValueError: the injected check crashed" in text  # the crash's traceback


def _chromium() -> str | None:
    for name in (os.environ.get("GFVERIFY_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def test_page_in_headless_chromium(report, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the browser test needs Playwright: pip install 'gfverify[test]'")
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; or set "
                    "GFVERIFY_CHROMIUM to a Chromium or Chrome executable)")
    expected = _expected(report)
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=browser, headless=True,
                                                        args=FLAGS, viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((report / "index.html").as_uri(), wait_until="load")
            rows = page.locator("#claim-table tbody tr")
            assert rows.count() == len(expected)
            ids = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
            assert ids == list(expected)
            images = page.evaluate("Array.from(document.images, i => [i.complete, i.naturalWidth])")
            assert images and all(done and width > 0 for done, width in images), images
            assert page.evaluate("document.querySelector('.display math').getBoundingClientRect().height") > 0
            links = page.evaluate("Array.from(document.querySelectorAll('[src],[href]'), "
                                  "e => e.getAttribute('src') || e.getAttribute('href'))")
            assert all(link.startswith(("data:", "#")) for link in links)
            for status in ("FAIL", "SKIP", "ERROR", "PASS", ""):
                page.select_option("#filter-status", status)
                want = sum(s == status or not status for s in expected.values())
                assert page.locator("#claim-table tbody tr:visible").count() == want, status
                assert page.inner_text("#shown") == str(want)
            page.select_option("#filter-paper", "B")
            assert page.locator("#claim-table tbody tr:visible").count() == \
                sum(registry.get(i).source.paper == "B" for i in REAL) + 1
            page.select_option("#filter-paper", "")
            shot = Path(os.environ.get("GFVERIFY_REPORT_SCREENSHOT", tmp_path / "report.png"))
            page.screenshot(path=str(shot))
        finally:
            context.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert errors == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
