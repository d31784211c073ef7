"""Fixtures for the claim tests: ``verdict(check, source, kind)`` runs an Evidence-returning
check as a throwaway claim and returns its status, so a test sees the verdict the suite would
print (a wrong formula injected through the same judge must come out FAIL)."""

import pytest

from gfverify.claims.model import Claim
from gfverify.claims.sources import source as cite


@pytest.fixture
def verdict():
    def run(check, source: str, kind: str = "identity", dps: int = 30) -> str:
        return Claim(id="test.injected", statement="injected", latex="", source=cite(source),
                     kind=kind, check=check).run(dps).status
    return run
