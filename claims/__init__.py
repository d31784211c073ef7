"""The claim registry: one statement of the papers = one claim, and the command line."""

from gfverify.claims.model import Claim, Evidence, Result

__all__ = ["Claim", "Evidence", "Result"]
