"""``trelloplan sandbox``: run the local Trello-compatible server in the foreground."""

from __future__ import annotations

import click

from ..sandbox.server import Sandbox, serve_until_interrupted


def _show(sandbox: Sandbox, db: str | None) -> None:
    member = sandbox.member
    click.echo("trelloplan sandbox: a local Trello-compatible server (Ctrl-C to stop)")
    click.echo(f"  API URL   {sandbox.api_url}")
    click.echo(f"  key       {sandbox.key}")
    click.echo(f"  token     {member.token}  (member {member.username})")
    click.echo(
        f"  state     {db + ' (kept between runs)' if db else 'in memory (lost on exit; use --db FILE to keep it)'}"
    )
    click.echo(f"  control   {sandbox.control_url}  (clock, faults, counters, members)")
    click.echo(f"  secret    {sandbox.control_secret}  (send it as the X-Sandbox-Secret header to /_sandbox)")
    click.echo("Point trelloplan at it:")
    click.echo(f"  export TRELLO_API_URL={sandbox.api_url} TRELLO_API_KEY={sandbox.key} TRELLO_TOKEN={member.token}")


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite file keeping boards, members and the clock between runs (default: in memory).",
)
@click.option(
    "--latency-ms", default=0.0, show_default=True, type=click.FloatRange(0), help="Delay added to every API request."
)
@click.option(
    "--fault-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of API requests answered 429, 500, 502 or 503.",
)
@click.option(
    "--drop-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of writes whose connection is dropped after they were committed.",
)
@click.option("--seed", type=int, default=None, help="Seed for the faults (same seed, same faults).")
@click.option("--no-rate-limit", is_flag=True, help="Turn off Trello's 100/10 s per token and 300/10 s per key limits.")
def sandbox(
    host: str,
    port: int,
    db: str | None,
    latency_ms: float,
    fault_rate: float,
    drop_rate: float,
    seed: int | None,
    no_rate_limit: bool,
) -> None:
    """Serve a local Trello-compatible API (the sandbox) until Ctrl-C.

    It speaks Trello's REST API under /1 (boards, lists, labels, cards, checklists, actions,
    batch), with Trello's response shapes, errors and rate limits, and prints the key and token it
    accepts. /_sandbox has a movable clock, fault injection and request counters (see
    docs/sandbox.md).

    \b
    Example:
      trelloplan sandbox --db sandbox.db
      export TRELLO_API_URL=http://127.0.0.1:8765/1 TRELLO_API_KEY=... TRELLO_TOKEN=...
      trelloplan sandbox --port 0 --latency-ms 50 --fault-rate 0.05 --seed 1
    """
    from ..net import is_loopback

    if not is_loopback(host):
        click.echo(f"warning: --host {host} is not a loopback address: the sandbox is for local use (no TLS, test "
                   "credentials, a control API that hands out tokens); anyone who can reach it can use it", err=True)
    server = Sandbox(
        host=host,
        port=port,
        db=db or ":memory:",
        latency_ms=latency_ms,
        fault_rate=fault_rate,
        drop_rate=drop_rate,
        seed=seed,
        rate_limit=not no_rate_limit,
    )
    serve_until_interrupted(server, lambda running: _show(running, db))
    click.echo("sandbox stopped" + (f"; state saved in {db}" if db else ""), err=True)


COMMANDS = [sandbox]
