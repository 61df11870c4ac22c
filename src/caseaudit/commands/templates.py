"""``caseaudit templates validate|list|import``: check template files and manage the library.

``validate`` checks files or folders of templates without opening any database, printing
"OK path (id version, N questions)" for each good file and every problem of each bad one; it
exits 0 only when all are valid. ``list`` loads any new built-in templates into the database
named by the global options and prints the library; ``import`` adds one template file to it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import opened
from ..errors import CaseAuditError
from ..services.templates import import_template, list_templates, sync_builtin_templates
from ..templating import TemplateInvalid, load_template_file

TEMPLATE_SUFFIXES = (".yaml", ".yml")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("templates", help="check, list or import audit templates")
    actions = parser.add_subparsers(dest="templates_command", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        help="check template files (or folders of them) without touching any database",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="a .yaml file or a folder")
    validate.set_defaults(handler=cmd_validate)
    actions.add_parser(
        "list", help="list the templates in the database (loading new built-ins first)"
    ).set_defaults(handler=cmd_list)
    add = actions.add_parser("import", help="add a template file to the database")
    add.add_argument("path", metavar="PATH", help="the template's .yaml file")
    add.set_defaults(handler=cmd_import)


def template_files(target: Path) -> list[Path]:
    """The template files a path names: itself, or the .yaml/.yml files in a folder."""
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.suffix.lower() in TEMPLATE_SUFFIXES)
    return [target]


def cmd_validate(args: argparse.Namespace) -> int:
    checked = valid = 0
    for raw in args.paths:
        target = Path(raw)
        if not target.exists():
            print(f"{raw}: there is no file or folder with this name.")
            checked += 1
            continue
        files = template_files(target)
        if not files:
            print(f"{raw}: this folder holds no .yaml template files.")
            checked += 1
            continue
        for path in files:
            checked += 1
            try:
                definition = load_template_file(path)
            except TemplateInvalid as exc:
                count = len(exc.problems)
                print(f"INVALID {path} ({count} problem{'s' if count != 1 else ''}):")
                for problem in exc.problems:
                    print(f"  {problem}")
                continue
            except CaseAuditError as exc:
                print(f"INVALID {path}: {exc.message}")
                continue
            valid += 1
            questions = len(definition.questions)
            print(f"OK {path} ({definition.id} {definition.version}, {questions} questions)")
    if checked > 1:
        print(f"{valid} of {checked} template files are valid.")
    return 0 if valid == checked else 1


def cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as db:
        sync_builtin_templates(db)
        summaries = list_templates(db)
    if not summaries:
        print("There are no templates in this database.")
        return 0
    headers = ("Title", "Id", "Version", "Scale", "Questions", "Rules", "Audits", "Source")
    rows = [
        (
            s.title if s.is_latest else f"  (older) {s.title}",
            s.key,
            s.version,
            s.scale_key,
            str(s.question_count),
            str(s.rule_count),
            str(s.audit_count),
            "built-in" if s.builtin else "imported",
        )
        for s in summaries
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    widths[0] = min(widths[0], 60)
    for row in (headers, *rows):
        cells = [
            (cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…").ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    with opened(args) as db:
        sync_builtin_templates(db)
        result = import_template(db, args.path)
    s = result.summary
    what = "Added" if result.added else "Already in the database, unchanged:"
    print(f"{what} {s.key} {s.version} — {s.title} ({s.question_count} questions).")
    return 0
