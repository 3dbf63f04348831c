"""Commands: `flask scheduler`, `flask sweep`, `flask rules`, `flask digest`."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from flask import current_app

from homes_qa.core.calendar import LONDON
from homes_qa.core.drift import DUE_SOON_LEVEL, ESCALATED, LABELS, OVERDUE, OVERDUE_LEVEL
from homes_qa.core.formats import london_datetime
from homes_qa.core.roles import ROLE_LABELS
from homes_qa.core.timing import Timing, TimingError
from homes_qa.spine.audit.models import acting_as
from homes_qa.spine.timestamps import utcnow

AT_HELP = ("The instant to act as if it were now, ISO-8601 (e.g. 2026-11-23T09:00:00Z); "
           "without an offset it is Europe/London local time. Default: now.")
AT_ERROR = "--at must be an ISO-8601 instant, e.g. 2026-11-23T09:00:00Z"


def parse_instant(text: str | None) -> datetime:
    """An aware UTC instant from ISO-8601 text; naive values are London wall-clock time."""
    if text is None:
        return utcnow()
    try:
        value = datetime.fromisoformat(text.strip())
    except (TypeError, ValueError):
        raise click.ClickException(AT_ERROR) from None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(UTC)


def _level_label(level: int) -> str:
    if level == DUE_SOON_LEVEL:
        return LABELS["due_soon"]
    return LABELS[OVERDUE] if level == OVERDUE_LEVEL else f"{LABELS[ESCALATED]} (level {level})"


def _timing_text(timing: dict) -> str:
    try:
        return Timing.from_dict(timing).describe()
    except (TimingError, TypeError, ValueError):
        return f"(unreadable timing: {json.dumps(timing)})"


def rule_as_dict(rule) -> dict:
    return {"code": rule.code, "title": rule.title, "area": rule.area, "trigger": rule.trigger,
            "scope": rule.scope, "timing": rule.timing, "timing_text": _timing_text(rule.timing),
            "responsible_role": rule.responsible_role, "ladder": rule.ladder,
            "due_soon_days": rule.due_soon_days, "due_soon_hours": rule.due_soon_hours, "active": rule.active, "verify": rule.verify,
            "source": rule.source, "notes": rule.notes}


def register(app) -> None:
    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduler (drift sweep, mail, daily digest) in this process until stopped.

        Run exactly one per installation; a second one stands by and takes over (after the
        lease expires) if the first stops.
        """
        from homes_qa.jobs.runner import run_scheduler
        run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]  # a LocalProxy method; Flask types current_app as Flask

    @app.cli.command("sweep")
    @click.option("--at", "at", metavar="INSTANT", help=AT_HELP)
    @click.option("--dry-run", is_flag=True, help="Show what would be raised; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object: summary and alerts.")
    def sweep_command(at, dry_run, as_json):
        """Run one drift sweep now (or as at --at) and print the alerts it raised."""
        from homes_qa.spine.alerts import service as alerts
        now = parse_instant(at)
        with acting_as("cli: sweep"):
            if not dry_run:
                from homes_qa.incidents.service import ensure_weekly_summaries
                ensure_weekly_summaries(now)  # each service manager's weekly summary (issue 8)
            result = alerts.sweep(now, dry_run=dry_run)
            if not dry_run:
                from homes_qa.exceptions.service import count_open_work
                count_open_work(now)  # as the scheduler does after each sweep
        summary = result.summary()
        if as_json:
            click.echo(json.dumps({"summary": summary, "alerts": [a.as_dict() for a in result.raised],
                                   "errors": result.errors}, indent=2))
        else:
            verb = "Would raise" if dry_run else "Raised"
            for alert in result.raised:
                click.echo(f"{verb}: {_level_label(alert.level)} — {alert.home} — {alert.rule} — "
                           f"due {london_datetime(alert.due_at)} — to {ROLE_LABELS.get(alert.target_role, alert.target_role)}")
            for error in result.errors:
                click.echo(f"Skipped (see log): {error}")
            click.echo(f"{'Dry run: ' if dry_run else ''}sweep as at {london_datetime(now)} examined "
                       f"{result.examined} open obligations, created {result.obligations_created}, "
                       f"{'would raise' if dry_run else 'raised'} {len(result.raised)} alerts, "
                       f"{len(result.errors)} skipped, in {result.seconds:.3f} s")

    @app.cli.command("rules")
    @click.option("--json", "as_json", is_flag=True, help="Print the rule table as a JSON list.")
    def rules_command(as_json):
        """Print the rule table: what is due, when, who answers for it, and the source."""
        from homes_qa.spine.rules import service as rules
        with acting_as("cli: rules"):
            rules.sync_catalogue()
        table = [rule_as_dict(rule) for rule in rules.all_rules()]
        if as_json:
            click.echo(json.dumps(table, indent=2))
            return
        widths = {"code": max(len(r["code"]) for r in table), "area": max(len(r["area"]) for r in table)}
        for r in table:
            ladder = " → ".join(f"{ROLE_LABELS.get(s.get('role', ''), s.get('role'))} "
                                f"+{s['after_hours']}h" if 'after_hours' in s else
                                f"{ROLE_LABELS.get(s.get('role', ''), s.get('role'))} +{s.get('after_working_days')}wd"
                                for s in r["ladder"] if isinstance(s, dict))
            flags = ("" if r["active"] else " [off]") + (" [verify]" if r["verify"] else "")
            click.echo(f"{r['code']:<{widths['code']}}  {r['area']:<{widths['area']}}  {r['title']}{flags}")
            click.echo(f"{'':<{widths['code']}}  {'':<{widths['area']}}  when: {r['timing_text']}; "
                       f"starts: {r['trigger']}; scope: {r['scope']}; warn "
                       + (f"{r['due_soon_hours']} hours" if r.get("due_soon_hours") is not None
                          else f"{r['due_soon_days']} days") + " before")
            click.echo(f"{'':<{widths['code']}}  {'':<{widths['area']}}  ladder: {ladder}")
            click.echo(f"{'':<{widths['code']}}  {'':<{widths['area']}}  source: {r['source']}")
        click.echo(f"{len(table)} rules")

    @app.cli.command("digest")
    @click.option("--at", "at", metavar="INSTANT", help=AT_HELP)
    def digest_command(at):
        """Queue today's digest e-mails now (or as at --at) and deliver what is pending."""
        from homes_qa.spine import digest
        from homes_qa.spine.mail import service as mail
        now = parse_instant(at)
        with acting_as("cli: digest"):
            queued = digest.queue_digests(now)
            delivery = mail.deliver_pending(now, current_app.config)
        click.echo(f"Digest as at {london_datetime(now)}: {queued} queued; delivery: "
                   + ", ".join(f"{k} {v}" for k, v in (delivery or {}).items()))
