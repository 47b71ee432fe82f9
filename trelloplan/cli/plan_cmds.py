"""Commands that work on plan files only: init, validate, show. None of them talks to Trello."""

from __future__ import annotations

from datetime import date, timedelta

import io
import sys

import click
from rich import box
from rich.table import Table

from ..errors import PlanError, UsageError
from ..fsutil import atomic_write
from ..plan.model import Plan
from ..plan.planfile import load_plan, load_plan_text, validate_plan
from ..plan.templates import list_templates, render_template
from ..render.formatting import plural
from ..render.safe import terminal_text

#: Below these many columns the plan table takes its compact form, then gives way to lines.
_COMPACT_BELOW, _NARROW_BELOW = 100, 72
_CAPTION = "Cards: the week's tasks and its demo card, as the report's Planned counts them"


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} `{value}` is not a date", hint=f"write it as YYYY-MM-DD, e.g. {option} 2027-01-04") from None


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7)


@click.command()
@click.argument("path", default="plan.yaml", type=click.Path(dir_okay=False))
@click.option("-t", "--template", default="mlops-gcp-10-weeks", show_default=True,
              help="Template to start from (see the list below).")
@click.option("--start", "start_text", metavar="DATE", help="First day of week 1 (YYYY-MM-DD). Default: next Monday.")
@click.option("--project", help="Project (board) name. Default: the template's.")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, template: str, start_text: str | None, project: str | None, force: bool) -> None:
    """Write a new plan file PATH from a template.

    \b
    Templates: mlops-gcp-10-weeks (a complete 10-week MLOps plan),
               blank-12-weeks (a skeleton to fill in).

    \b
    Example:
      trelloplan init plan.yaml --template mlops-gcp-10-weeks --start 2027-01-04
    """
    start = parse_date(start_text, "--start") or next_monday(date.today())
    text = render_template(template, start=start, project=project)
    plan = load_plan_text(text, path)  # a template is valid by construction; this guards the substitutions
    atomic_write(path, text, overwrite=force)
    click.echo(f"Wrote {path}: {plan.project}, {plural(len(plan.weeks), 'week')} from {plan.start.isoformat()} "
               f"(template {template}).")
    click.echo(f"Next: edit it, then `trelloplan validate {path}` and `trelloplan show {path}`.")


init.help = (init.help or "").replace(
    "Templates: mlops-gcp-10-weeks (a complete 10-week MLOps plan),\n               blank-12-weeks (a skeleton to fill in).",
    "Templates: " + ", ".join(list_templates()) + ".",
)


@click.command()
@click.argument("plans", nargs=-1, required=True, type=click.Path(dir_okay=True))
def validate(plans: tuple[str, ...]) -> None:
    """Check plan files and report every problem, each with file:line:column.

    Nothing is sent to Trello. Exit code 2 when any file has errors;
    warnings alone exit 0.

    \b
    Example:
      trelloplan validate plans/mlops-gcp-10-weeks.yaml
    """
    errors, warnings = [], []
    for path in plans:
        result = validate_plan(path)
        if result.plan is None:
            errors.extend(result.errors)
            warnings.extend(result.warnings)
            continue
        for problem in result.warnings:
            click.echo(terminal_text(str(problem)), err=True)
        plan = result.plan
        cards = sum(1 for _ in plan.tasks())
        click.echo(f"{path}: OK ({plural(len(plan.weeks), 'week')}, {cards} cards, {plan.planned_hours:g} hours"
                   + (f", {plural(len(result.warnings), 'warning')})" if result.warnings else ")"))
    if errors:
        raise PlanError(errors, warnings=warnings)


def plan_table(plan: Plan, *, compact: bool = False) -> Table:
    """The plan week by week. "Cards" counts what the board gets and the report's "Planned" counts: tasks and the demo.

    ``compact`` (a terminal narrower than 100 columns) drops the rules and gives the due time without its date.
    """
    table = Table(title=f"{plan.project}: {plural(len(plan.weeks), 'week')} from {plan.start.isoformat()} ({plan.timezone})",
                  caption=_CAPTION, title_justify="left" if compact else "center",
                  caption_justify="left" if compact else "center",
                  box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD, show_edge=not compact, pad_edge=not compact,
                  padding=(0, 1) if not compact else (0, 0, 0, 1), collapse_padding=compact)
    words = {"Milestone": [w.milestone for w in plan.weeks], "Demo": [w.demo.name.removeprefix("Demo: ") for w in plan.weeks]}
    for column, justify in (("Week", "right"), ("Dates", "left"), ("Milestone", "left"), ("Demo", "left"),
                            ("Cards", "right"), ("Hours", "right"), ("Due", "left")):
        longest = max((len(word) for text in words.get(column, []) for word in text.split()), default=0)
        table.add_column(column, justify=justify, overflow="fold",  # type: ignore[arg-type]
                         no_wrap=column not in words, min_width=min(longest, 14) or None)
    for week in plan.weeks:
        table.add_row(str(week.number), f"{week.start:%b %d} – {week.end:%b %d}", week.milestone,
                      week.demo.name.removeprefix("Demo: "), str(len(week.cards)), f"{week.planned_hours:g}",
                      f"{week.due:%a %H:%M}" if compact else f"{week.due:%a %b %d %H:%M}")
    table.add_section()
    table.add_row("", "", "", "Total", str(sum(len(w.cards) for w in plan.weeks)), f"{plan.planned_hours:g}", "")
    return table


def plan_lines(plan: Plan) -> str:
    """The plan as lines, a week in two, for a terminal too narrow for the table (each line wraps on its own)."""
    lines = [f"{plan.project}: {plural(len(plan.weeks), 'week')} from {plan.start.isoformat()} ({plan.timezone})"]
    for week in plan.weeks:
        lines.append(f"Week {week.number}  {week.start:%b %d} – {week.end:%b %d}  {plural(len(week.cards), 'card')}, "
                     f"{week.planned_hours:g} h, due {week.due:%a %H:%M}")
        lines.append(f"  {week.milestone}; demo: {week.demo.name.removeprefix('Demo: ')}")
    lines.append(f"Total: {plural(sum(len(w.cards) for w in plan.weeks), 'card')}, {plan.planned_hours:g} h")
    lines.append(_CAPTION)
    return "\n".join(lines)


@click.command()
@click.argument("plan_path", metavar="PLAN", type=click.Path(dir_okay=True))
def show(plan_path: str) -> None:
    """Show a plan as a table: week, dates, milestone, demo, cards (tasks and the demo), hours, due date.

    \b
    Example:
      trelloplan show plans/mlops-gcp-10-weeks.yaml
    """
    from ..render.terminal import console, finish, fit_lines, output_width

    plan = load_plan(plan_path)
    for problem in plan.warnings:
        click.echo(terminal_text(str(problem)), err=True)
    width = output_width(sys.stdout)
    if width is not None and width < _NARROW_BELOW:
        click.echo(fit_lines(plan_lines(plan), width))
        return
    out = io.StringIO()
    table = plan_table(plan, compact=width is not None and width < _COMPACT_BELOW)
    console(out, width=width, color=sys.stdout.isatty()).print(table)
    click.echo(finish(out.getvalue()), nl=False)


COMMANDS = [init, validate, show]
