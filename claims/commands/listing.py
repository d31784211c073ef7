"""``gfverify list``: the registered claims."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from gfverify.claims import registry

NAME = "list"
HELP = "list the registered claims"
ORDER = 1


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tier", choices=("quick", "full"), default="full")


def run(args: argparse.Namespace) -> int:
    t = Table(title="gfverify claims")
    for col in ("claim", "kind", "tier", "source", "statement"):
        t.add_column(col)
    for c in registry.select(args.tier):
        t.add_row(c.id, c.kind, c.tier, c.source, c.statement)
    Console().print(t)
    return 0
