"""``caseaudit audits``, ``caseaudit audit ...`` and ``caseaudit actions ...``: the workbench.

``audits list`` prints the queue (everyone's, or ``--mine``); ``audit show`` an audit with its
answers, grades, caps, what is missing, actions, concerns and sign-off history; ``audit answer``
saves one answer (the value written as the auditor would: yes / no / partly / N/A, a grade word
or 1-4, a date such as 31/03/2026, a number, an option, text); ``audit grade`` and ``audit
overall`` give grades; ``audit concern`` and ``audit acknowledge`` are the safeguarding
escalation; ``audit sign`` asks for the password again; ``audit reopen`` needs a reason.
``actions list`` (``--overdue``), ``actions raise``, ``actions update`` and ``actions owners``
handle actions. Case files are shown by case key, never by a child's name.
"""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from ..cli import signed_in
from ..errors import ValidationError
from ..services import actions, audits, escalation, signoff
from ..services.importer_values import parse_date
from ..templating import Question, TemplateDefinition
from ..vocabulary import ActionStatus, TimescaleBand

NONE_WORDS = {"", "none", "clear", "-"}


def register(sub: argparse._SubParsersAction) -> None:
    queue = sub.add_parser("audits", help="list audits (the queue)")
    queue_actions = queue.add_subparsers(dest="audits_command", metavar="ACTION", required=True)
    listing = queue_actions.add_parser("list", help="list audits in open rounds")
    listing.add_argument("--mine", action="store_true", help="only audits assigned to me")
    listing.add_argument("--all-rounds", action="store_true", help="include completed rounds")
    listing.set_defaults(handler=cmd_list)

    audit = sub.add_parser("audit", help="show, answer, grade, sign off or reopen an audit")
    steps = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    show = steps.add_parser("show", help="show an audit")
    show.add_argument("audit", type=int, metavar="ID")
    show.set_defaults(handler=cmd_show)
    answer = steps.add_parser("answer", help="save one answer")
    answer.add_argument("audit", type=int, metavar="ID")
    answer.add_argument("question", metavar="QUESTION", help="question id (see 'audit show')")
    answer.add_argument(
        "value", metavar="VALUE", help="the answer ('' clears it; ';' separates choices)"
    )
    answer.add_argument("--evidence", metavar="TEXT", help="evidence note")
    answer.add_argument("--na-reason", metavar="TEXT", help="why N/A")
    answer.set_defaults(handler=cmd_answer)
    grade = steps.add_parser("grade", help="grade a section")
    grade.add_argument("audit", type=int, metavar="ID")
    grade.add_argument("section", metavar="SECTION")
    grade.add_argument("grade", metavar="GRADE", help="a grade word or 1-4 ('none' clears it)")
    grade.add_argument("--commentary", metavar="TEXT")
    grade.set_defaults(handler=cmd_grade)
    overall = steps.add_parser("overall", help="give the overall grade")
    overall.add_argument("audit", type=int, metavar="ID")
    overall.add_argument("grade", metavar="GRADE", help="a grade word or 1-4 ('none' clears it)")
    overall.add_argument(
        "--rationale", metavar="TEXT", help="why, if it differs from the suggestion"
    )
    overall.set_defaults(handler=cmd_overall)
    concern = steps.add_parser("concern", help="child may be at risk now: escalate to a manager")
    concern.add_argument("audit", type=int, metavar="ID")
    concern.add_argument("text", metavar="TEXT", help="what the concern is")
    concern.add_argument("--manager", type=int, required=True, metavar="WORKER", help="worker id")
    concern.set_defaults(handler=cmd_concern)
    ack = steps.add_parser("acknowledge", help="record a manager's acknowledgement of a concern")
    ack.add_argument("concern", type=int, metavar="CONCERN")
    ack.add_argument("--note", required=True, metavar="TEXT", help="how it was received")
    ack.set_defaults(handler=cmd_acknowledge)
    sign = steps.add_parser("sign", help="sign the audit off (asks for your password again)")
    sign.add_argument("audit", type=int, metavar="ID")
    sign.set_defaults(handler=cmd_sign)
    reopen = steps.add_parser("reopen", help="reopen a signed audit, giving a reason")
    reopen.add_argument("audit", type=int, metavar="ID")
    reopen.add_argument("--reason", required=True, metavar="TEXT")
    reopen.set_defaults(handler=cmd_reopen)

    acts = sub.add_parser("actions", help="list, raise and update actions")
    verbs = acts.add_subparsers(dest="actions_command", metavar="ACTION", required=True)
    act_list = verbs.add_parser("list", help="list actions")
    act_list.add_argument("--overdue", action="store_true", help="only open actions past due")
    act_list.add_argument("--audit", type=int, metavar="ID", help="only this audit's")
    act_list.set_defaults(handler=cmd_actions_list)
    raise_ = verbs.add_parser("raise", help="raise an action on an audit")
    raise_.add_argument("audit", type=int, metavar="ID")
    raise_.add_argument("description", metavar="TEXT")
    raise_.add_argument("--owner", type=int, required=True, metavar="WORKER", help="worker id")
    raise_.add_argument("--band", required=True, choices=[b.value for b in TimescaleBand])
    raise_.add_argument("--section", default="", metavar="SECTION")
    raise_.add_argument("--question", default="", metavar="QUESTION")
    raise_.set_defaults(handler=cmd_actions_raise)
    update = verbs.add_parser("update", help="move an action on or record its evidence")
    update.add_argument("action", type=int, metavar="ID")
    update.add_argument("--status", choices=[s.value for s in ActionStatus])
    update.add_argument("--evidence", metavar="TEXT", help="evidence of completion")
    update.set_defaults(handler=cmd_actions_update)
    verbs.add_parser("owners", help="who can own an action").set_defaults(handler=cmd_owners)


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        rows = audits.my_queue(
            db, actor, everyone=not args.mine, include_closed_rounds=args.all_rounds
        )
        for r in rows:
            flag = "OVERDUE" if r.overdue else ""
            print(
                f"{r.audit_id:>5}  {r.case_key:<10} {r.template_title[:34]:<34} "
                f"{r.round_name[:30]:<30} due {r.due_on or '-'!s:<10} {r.status.label:<17} "
                f"{r.grade_label:<28} {flag}".rstrip()
            )
        print(f"{len(rows)} audit{'s' if len(rows) != 1 else ''}.")
    return 0


def _answer_text(question: Question, value: Any) -> str:
    if value is None:
        return "-"
    if question.type == "yes_no":
        return "N/A" if value == "na" else str(value).capitalize()
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)


def cmd_show(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        form = audits.open_audit(db, actor, args.audit)
        d, h, g = form.definition, form.header, form.grading
        lock = " (read-only)" if form.read_only else ""
        print(f"Audit {form.audit_id}: {d.title} {d.version} — {form.status.label}{lock}")
        print(f"  Case {h.case_key}: {h.pathway_label}; {h.team or '-'}; worker {h.worker or '-'}")
        print("  Key dates: " + "; ".join(f"{label} {day}" for label, day in h.key_dates))
        visible = set(g.visible_questions)
        for section in d.sections:
            if section.id not in g.visible_sections:
                continue
            result = g.sections[section.id]
            given = form.section_grades.get(section.id)
            grade_text = d.scale.label(given) if given else "not graded yet"
            suggested = d.scale.label(result.suggested) if result.suggested else "-"
            extra = f" (suggested {suggested})" if section.graded else ""
            print(f"[{section.id}] {section.title}: {grade_text if section.graded else ''}{extra}")
            for cap in result.caps:
                print(f"    cap: {cap.sentence}")
            for q in section.questions:
                if q.id not in visible:
                    continue
                answer = form.answers.get(q.id)
                print(f"  {q.id:<28} {_answer_text(q, answer.value if answer else None)}")
                if answer and answer.evidence:
                    print(f"      evidence: {answer.evidence}")
                if answer and answer.na_reason and answer.value == "na":
                    print(f"      N/A because: {answer.na_reason}")
                if q.id in g.timescales:
                    print(f"      {g.timescales[q.id].sentence}")
        overall = d.scale.label(form.overall_grade) if form.overall_grade else "not given"
        suggested = d.scale.label(g.suggested_overall) if g.suggested_overall else "-"
        print(f"Overall: {overall} (suggested {suggested})")
        for cap in g.overall_caps:
            print(f"  cap: {cap.sentence}")
        if g.compliance.percent is not None:
            print(f"Compliance: {g.compliance.percent:.0f}%")
        for a in form.actions:
            late = " OVERDUE" if a.overdue else ""
            print(
                f"Action {a.id}: {a.description} — {a.owner_name}, due {a.due_on}, "
                f"{a.status.label}{late}"
            )
        for c in form.concerns:
            state = (
                f"acknowledged {c.acknowledged_at:%d %b %Y %H:%M}"
                if c.acknowledged_at
                else "NOT ACKNOWLEDGED"
            )
            print(f"Safeguarding concern {c.finding_id} to {c.manager_name}: {state}")
        for item in signoff.sign_off_problems(db, actor, form.audit_id):
            print(f"To do: {item.message}")
        for h_row in form.history:
            what = "Signed off" if h_row.kind == "sign_off" else "Reopened"
            why = f" — {h_row.reason}" if h_row.reason else ""
            print(
                f"{what} {h_row.at:%d %b %Y %H:%M} by {h_row.user_name} "
                f"(sha256 {h_row.content_hash[:12]}){why}"
            )
    return 0


def parse_answer(definition: TemplateDefinition, question_id: str, text: str) -> Any:
    """The value of an answer as typed on the command line (see the module docstring)."""
    try:
        question = definition.question(question_id)
    except KeyError:
        known = ", ".join(q.id for q in definition.questions)
        raise ValidationError(
            f"The template has no question '{question_id}'. Its questions are: {known}."
        ) from None
    if text.strip().lower() in NONE_WORDS and question.type != "text":
        return None
    try:
        if question.type == "grade":
            return definition.scale.parse(text)
        if question.type == "date":
            return parse_date(text)
        if question.type == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError as exc:
        raise ValidationError(f"'{text}' is not an answer to '{question.text}': {exc}") from None
    if question.type == "choice" and question.multiple:
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def _grade(definition: TemplateDefinition, text: str) -> int | None:
    if text.strip().lower() in NONE_WORDS:
        return None
    try:
        return definition.scale.parse(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _saved(result: audits.SaveResult) -> None:
    g = result.grading
    extra = f"; compliance {g.compliance.percent:.0f}%" if g.compliance.percent is not None else ""
    print(
        f"Saved {result.saved_at.astimezone():%H:%M:%S}. Audit {result.audit_id} is "
        f"{result.status.label.lower()}; {len(g.missing)} thing(s) still to do{extra}."
    )


def cmd_answer(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        definition = audits.open_audit(db, actor, args.audit).definition
        value = parse_answer(definition, args.question, args.value)
        _saved(
            audits.save_answer(
                db,
                actor,
                args.audit,
                args.question,
                value,
                evidence=args.evidence,
                na_reason=args.na_reason,
            )
        )
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        definition = audits.open_audit(db, actor, args.audit).definition
        grade = _grade(definition, args.grade)
        _saved(
            audits.set_section_grade(
                db, actor, args.audit, args.section, grade, commentary=args.commentary
            )
        )
    return 0


def cmd_overall(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        definition = audits.open_audit(db, actor, args.audit).definition
        grade = _grade(definition, args.grade)
        _saved(audits.set_overall(db, actor, args.audit, grade, args.rationale))
    return 0


def cmd_concern(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        row = escalation.raise_concern(db, actor, args.audit, args.text, args.manager)
        print(
            f"Safeguarding concern {row.finding_id} recorded at {row.raised_at.astimezone():%H:%M}; "
            f"immediate action {row.action_id} for {row.manager_name}. Sign-off is blocked until "
            "their acknowledgement is recorded (caseaudit audit acknowledge)."
        )
    return 0


def cmd_acknowledge(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        row = escalation.acknowledge_concern(db, actor, args.concern, args.note)
        print(f"Acknowledgement of concern {row.finding_id} by {row.manager_name} recorded.")
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        password = os.environ.get("CASEAUDIT_PASSWORD")
        if password is None:
            password = getpass.getpass(f"Your password, to sign audit {args.audit} off: ")
        row = signoff.sign_off(db, actor, args.audit, password)
        print(
            f"Audit {args.audit} signed off by {row.user_name} at {row.at.astimezone():%H:%M}; "
            f"content sha256 {row.content_hash}. It is now read-only."
        )
    return 0


def cmd_reopen(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        signoff.reopen(db, actor, args.audit, args.reason)
        print(f"Audit {args.audit} reopened; the signed version is kept in its history.")
    return 0


def cmd_actions_list(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        rows = actions.list_actions(db, actor, audit_id=args.audit, overdue_only=args.overdue)
        for a in rows:
            flag = "OVERDUE" if a.overdue else ""
            print(
                f"{a.id:>5}  audit {a.audit_id or '-'!s:<5} due {a.due_on} review "
                f"{a.review_on or '-'!s:<10} {a.status.label:<11} {a.owner_name[:24]:<24} "
                f"{a.description[:60]} {flag}".rstrip()
            )
        print(f"{len(rows)} action{'s' if len(rows) != 1 else ''}.")
    return 0


def cmd_actions_raise(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        row = actions.raise_action(
            db,
            actor,
            args.audit,
            args.description,
            args.owner,
            args.band,
            section_id=args.section,
            question_id=args.question,
        )
        print(
            f"Action {row.id} raised for {row.owner_name}: due {row.due_on}, review {row.review_on}."
        )
    return 0


def cmd_actions_update(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, actor):
        row = actions.update_action(
            db, actor, args.action, status=args.status, completion_evidence=args.evidence
        )
        print(f"Action {row.id} is {row.status.label.lower()}.")
    return 0


def cmd_owners(args: argparse.Namespace) -> int:
    with signed_in(args) as (db, _actor):
        for worker_id, name, label in actions.owners(db):
            print(f"{worker_id:>5}  {name:<30} {label}")
    return 0
