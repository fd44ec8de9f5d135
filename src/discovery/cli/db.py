"""``discovery db``: schema migrations and wiring maintenance."""

from __future__ import annotations

import typer

from discovery.cli.common import (
    command_group,
    database_url,
    fail,
    info,
    ready_database_url,
    run,
    with_session,
)

app = command_group("Database schema and wiring maintenance.")


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from discovery.core import migrations

    url = database_url()
    migrations.upgrade(url, revision)
    info(f"database at revision {run(migrations.current_revision_async(url))}")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, or `base`.")) -> None:
    """Revert migrations down to REVISION (`base` removes the whole schema)."""
    from discovery.core import migrations

    url = database_url()
    migrations.downgrade(url, revision)
    info(f"database at revision {run(migrations.current_revision_async(url)) or 'base'}")


@app.command()
def current() -> None:
    """Print the revision the database is at (`none` before any migration)."""
    from discovery.core import revisions

    url = database_url()
    revision = run(revisions.current_revision_async(url))
    head = revisions.head_revision()
    suffix = " (head)" if revision == head else f" (head is {head})"
    typer.echo(f"{revision or 'none'}{suffix}")


@app.command("row-security")
def row_security_command() -> None:
    """Show the database's row-level security: the service's role, whether this user may
    act as it, and which tenant tables its policy guards. Exits 1 if any is missing."""
    from discovery.tenancy.row_security import SERVICE_ROLE, row_security_report

    url = ready_database_url()
    report = run(with_session(url, row_security_report))
    if report.role_exists:
        bypass = "bypasses row-level security" if report.role_bypasses else "NOBYPASSRLS"
        typer.echo(f"role {SERVICE_ROLE}: present, {bypass}")
        member = "yes" if report.user_may_act_as_role else "no"
        typer.echo(f"{report.user} may act as {SERVICE_ROLE}: {member}")
    else:
        typer.echo(f"role {SERVICE_ROLE}: missing")
    guarded = [table for table, ok in report.tables.items() if ok]
    typer.echo(f"tenant tables guarded: {len(guarded)} of {len(report.tables)}")
    for table, ok in report.tables.items():
        typer.echo(f"  {table}: {'tenant_isolation' if ok else 'NOT GUARDED'}")
    if report.problems:
        fail("; ".join(report.problems))
    info("the service sees only the tenant its requests and jobs set")


@app.command("repair-wiring")
def repair_wiring_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report, change nothing."),
) -> None:
    """Restore links that can be derived from the other side of the wiring."""
    from discovery.health.repair import repair_wiring

    url = ready_database_url()
    report = run(with_session(url, lambda s: repair_wiring(s, dry_run=dry_run)))
    verb = "would repair" if dry_run else "repaired"
    for name, count in report.counts.items():
        typer.echo(f"{name}: {count}")
    info(f"{verb} {report.total} link(s)")


@app.command("drop-wiring-constraints")
def drop_wiring_constraints_command() -> None:
    """Drop the wiring foreign keys at once (the plans' fast rollback).

    Until they are restored, the wiring health counts what they would have proven.
    """
    from discovery.health.constraints import drop_wiring_constraints

    url = ready_database_url()
    dropped = run(with_session(url, drop_wiring_constraints))
    for name in dropped:
        typer.echo(f"dropped {name}")
    info(
        f"{len(dropped)} wiring foreign key(s) dropped; put them back with "
        "`discovery db restore-wiring-constraints`"
    )


@app.command("restore-wiring-constraints")
def restore_wiring_constraints_command() -> None:
    """Add missing wiring foreign keys NOT VALID, then validate them all."""
    from discovery.health.constraints import (
        add_missing_wiring_constraints,
        validate_wiring_constraints,
    )

    url = ready_database_url()
    added = run(with_session(url, add_missing_wiring_constraints))
    for name in added:
        typer.echo(f"added {name} (NOT VALID)")
    try:
        run(with_session(url, validate_wiring_constraints))
    except typer.Exit:
        fail(
            "validation failed while orphaned references exist: run "
            "`discovery db repair-wiring`, then this command again"
        )
    from discovery.core.wiring import WIRING_FOREIGN_KEYS

    info(f"all {len(WIRING_FOREIGN_KEYS)} wiring foreign keys are present and validated")
