"""The ``gfverify`` command line: subcommands live in ``gfverify.claims.commands``, one module
each with ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Exit codes: 0 success, 1 a claim failed, 2 bad usage or bad input (one line on stderr),
3 an internal error (a bug: one line, never a traceback), 130 interrupted (Ctrl-C, SIGINT)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from gfverify.claims import commands
from gfverify.errors import InputError

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.split(" ", 1)[1:]  # "gfverify hermite" -> ["hermite"]
        where = f"{command[0]}: " if command else ""
        sys.stderr.write(f"gfverify: error: {where}{' '.join(message.split())}\n")
        raise SystemExit(EXIT_USAGE)


def _command_modules() -> list:
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__))
    modules = [importlib.import_module(f"{commands.__name__}.{n}") for n in names]
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 100))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gfverify", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    sub.required = True
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args._run(args))
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not at interpreter exit
        return code
    except InputError as exc:
        sys.stderr.write(f"gfverify: error: {exc}\n")
        return EXIT_USAGE
    except OSError as exc:  # the output cannot be written: a full disk, a closed pipe
        where = f": {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"gfverify: error: cannot write the output{where}: {exc.strerror or exc}\n")
        sys.stdout = None  # nothing more to flush at exit
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("gfverify: interrupted (Ctrl-C)\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the contract is one line, never a traceback
        sys.stderr.write(f"gfverify: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
