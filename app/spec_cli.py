"""`panelist spec check|new|schema|reference`: spec files without a database — check one, start one, document them."""
from __future__ import annotations

import sys
from pathlib import Path

from app.cli_text import CliText

__all__ = ["add_parser", "run"]


def add_parser(sub, say: CliText) -> None:
    """The `spec` subcommand, for app/cli.py's parser."""
    from domain.spec_templates import TEMPLATE_KINDS

    spec = sub.add_parser("spec", help=say.text("cli.help.spec")).add_subparsers(dest="spec_command", required=True)
    check = spec.add_parser("check", help=say.text("cli.help.spec_check"))
    check.add_argument("file")
    new = spec.add_parser("new", help=say.text("cli.help.spec_new"))
    new.add_argument("type", choices=TEMPLATE_KINDS)
    spec.add_parser("schema", help=say.text("cli.help.spec_schema"))
    spec.add_parser("reference", help=say.text("cli.help.spec_reference"))


def check(say: CliText, path: Path) -> int:
    """What an upload of `path` would say, creating nothing: 0 when valid, 1 with every problem on stderr."""
    from domain.assessment_spec import is_assessment_file, parse_assessment
    from domain.project_spec import MAX_SPEC_BYTES, SpecError, parse_project_spec, problem_count

    if not path.is_file():
        say.err("cli.no_such_file", path=str(path))
        return 2
    if path.stat().st_size > MAX_SPEC_BYTES:
        say.err("cli.spec_too_large")
        return 1
    data = path.read_bytes()
    try:
        if is_assessment_file(data, path.name):
            parse_assessment(data, path.name)
            say.out("cli.spec_check.assessment_ok", file=str(path))
        else:
            spec = parse_project_spec(data, path.name)
            say.out("cli.spec_check.project_ok", file=str(path), task_type=spec.task_type)
    except SpecError as exc:
        say.err("cli.spec_check.refused", count=problem_count(exc.errors), file=str(path))
        for problem in exc.errors:
            print(f"  {problem.render(say)}", file=sys.stderr)
        return 1
    return 0


def run(say: CliText, args) -> int:
    if args.spec_command == "check":
        return check(say, Path(args.file))
    if args.spec_command == "new":
        from domain.spec_templates import render_template

        sys.stdout.write(render_template(args.type, say))
        return 0
    from domain.spec_reference import json_schema, reference_markdown

    sys.stdout.write(json_schema() if args.spec_command == "schema" else reference_markdown())
    return 0
