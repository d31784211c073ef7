"""The documentation stays true: the README is one page, every relative link resolves, the claim
catalogue is what ``gfverify list --markdown`` prints, and the theory document states every
numbered statement the claims cite, in the section they name."""

import re
from pathlib import Path

from gfverify.claims import registry
from gfverify.claims.commands.listing import markdown
from gfverify.claims.sources import STATEMENTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_readme_is_one_page():
    assert (ROOT / "README.md").stat().st_size <= 10_000


def test_relative_links_resolve():
    pages = [ROOT / "README.md", *sorted(DOCS.glob("**/*.md"))]
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken


def test_no_page_sends_users_outside_the_repo():
    for page in [ROOT / "README.md", *DOCS.glob("**/*.md")]:
        text = page.read_text()
        assert "../shared" not in text and "THEORY.md" not in text, page


def test_claim_catalogue_is_up_to_date():
    want = markdown(registry.select("full"))
    got = (DOCS / "claims.md").read_text()
    assert got == want, "docs/claims.md is out of date: run `gfverify list --markdown > docs/claims.md`"


def _section(text: str, name: str) -> str:
    """The text of the first section whose heading contains ``name`` (up to the next heading of
    the same or a higher level)."""
    heads = [(m.start(), len(m.group(1)), m.group(2)) for m in re.finditer(r"^(#+) (.+)$", text, re.M)]
    for i, (start, level, title) in enumerate(heads):
        if name.lower() in title.lower():
            end = next((s for s, lv, _ in heads[i + 1:] if lv <= level), len(text))
            return text[start:end]
    raise AssertionError(f"docs/theory.md has no section {name!r}")


def test_theory_document_states_every_cited_statement_in_its_section():
    text = (DOCS / "theory.md").read_text()
    for number, (_, section, _) in STATEMENTS.items():
        assert re.search(rf"\b{number}\b", _section(text, section)), f"{number} is not stated in §{section}"


def test_every_claim_cites_a_stated_number():
    for c in registry.all_claims():
        assert c.source.statement in STATEMENTS, c.id


def test_claim_order_does_not_depend_on_import_order():
    """Tests import claim modules in any order; the catalogue must not follow it."""
    import subprocess
    import sys

    code = ("import gfverify.claims.statements.stages, gfverify.claims.statements.averaging\n"
            "from gfverify.claims import registry\n"
            "print(','.join(c.id for c in registry.all_claims()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().split(",") == [c.id for c in registry.all_claims()]
