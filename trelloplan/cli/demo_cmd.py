"""`trelloplan demo`: the whole product on the embedded sandbox, in one command."""

from __future__ import annotations

import sys

import click
from rich.console import Console


@click.command()
@click.argument("folder", default="trelloplan-demo", type=click.Path(file_okay=False))
@click.option("--week", default=5, show_default=True, type=click.IntRange(1, 12), help="The week to report on.")
@click.option("--seed", default=8, show_default=True, type=int, help="Seed of the simulated team and the forecast.")
def demo(folder: str, week: int, seed: int) -> None:
    """Run the whole product on a local sandbox, with no Trello account.

    Starts a local Trello-compatible server, applies the 10-week MLOps plan,
    lets a simulated team of three work through the first weeks (seeded), pulls
    the board's history, and writes the weekly report into FOLDER: report.html
    (with charts), report.md, report.json, report.csv, charts/*.png and
    weekly-email.eml. Then a class of three teams of different pace runs the
    same plan as a cohort (a board each), and cohort.html shows the overview,
    linked to each team's own report in cohort.teams/.

    \b
    Example:
      trelloplan demo
      trelloplan demo /tmp/demo --week 8 --seed 3
    """
    from ..demo import run_demo
    from ..render.cohort import render_overview
    from ..render.formats import render_report
    from ..render.terminal import fit_lines, output_width

    console = Console(stderr=True)
    if sys.stderr.isatty():
        with console.status("Starting…") as status:

            def step(message: str) -> None:
                console.log(message)
                status.update(message)

            result = run_demo(folder, week=week, seed=seed, step=step)
    else:
        result = run_demo(folder, week=week, seed=seed, step=lambda message: click.echo(message, err=True))
    width = output_width(sys.stdout)
    click.echo(render_report(result.report, "text", color=sys.stdout.isatty(), width=width))
    if result.overview is not None:
        click.echo(render_overview(result.overview, "text", color=sys.stdout.isatty(), width=width))
    lines = [f"Wrote the week {week} report in {result.seconds:.1f} s ({result.moves} card moves, "
             f"{result.requests} requests to the sandbox):"]
    names = max(len(name) for name in [*result.files, "charts"] if not name.startswith("chart "))
    lines += [f"  {name:<{names}}  {path}" for name, path in result.files.items() if not name.startswith("chart ")]
    charts = [path for name, path in result.files.items() if name.startswith("chart ")]
    if charts:
        lines.append(f"  {'charts':<{names}}  {charts[0].parent}/ ({len(charts)} PNG files)")
    lines.append(f"Open {result.files['html']} in a browser to see the report"
                 + (f", and {result.files['cohort']} for the class." if "cohort" in result.files else "."))
    click.echo(fit_lines("\n".join(lines), width))

COMMANDS = [demo]
