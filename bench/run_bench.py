"""`make bench`: build a county-scale synthetic estate, then time pages and count their queries.

Pages must use a bounded number of queries however much history exists, so each page is
measured twice: on a small estate and on a large one (100 homes × 5 years by default, times
`--scale`). A page whose query count grows with history fails the run (exit 1). For each page:
p50/p95 server time, SQL queries, and the render-only floor: the page's template rendered
alone with the context it was given (captured with Flask's `template_rendered` signal), so
page ÷ floor says how much of the time is anything but rendering. Also the sweep's time on
the built estate and the process's peak RSS. Times are reported, not asserted (machines differ).
"""
from __future__ import annotations

import argparse
import importlib
import json
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import template_rendered
from flask_migrate import upgrade
from sqlalchemy import event, insert, select

from bench.estate import Estate, Writer
from homes_qa import create_app
from homes_qa.core.roles import Role
from homes_qa.database import refresh_planner_statistics
from homes_qa.exceptions.service import count_open_work
from homes_qa.extensions import db
from homes_qa.heap import settle
from homes_qa.incidents.service import ensure_weekly_summaries
from homes_qa.spine.alerts import service as alert_service
from homes_qa.spine.alerts.models import Alert
from homes_qa.spine.audit.models import AuditEvent, acting_as
from homes_qa.spine.obligations.models import Obligation
from homes_qa.spine.people.models import Assignment, Home, User
from homes_qa.spine.people.passwords import hash_password
from homes_qa.spine.rules.models import Rule
from homes_qa.spine.rules.service import sync_catalogue
from homes_qa.spine.timestamps import utcnow

PASSWORD = "bench-password-123"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# The build's sweep is on 2 December. The last sweep of December, after 29 days without one
# (the scheduler down since then), then the first after midnight, the scheduler's
# SWEEP_MINUTES later: a month turns (and a quarter, and a year).
MONTH_END = datetime(2026, 12, 31, 23, 57, tzinfo=UTC)
PERIOD_TURN = datetime(2027, 1, 1, 0, 2, tzinfo=UTC)


def build(app, homes: int, months: int, only_history: list[str] | None = None) -> dict:
    """Homes with people, `months` of obligations history, alerts and audit rows."""
    rng = random.Random(44)
    started = time.monotonic()
    with app.app_context(), acting_as("bench"):
        sync_catalogue()
        pw = hash_password(PASSWORD)
        db.session.execute(insert(Home), [
            {"name": f"Home {i:04d}", "ofsted_urn": f"SC{i:06d}", "address": f"{i} Bench Road",
             "registered_places": rng.randint(2, 6), "status": "open", "created_at": NOW} for i in range(homes)])
        home_ids = list(db.session.scalars(select(Home.id).order_by(Home.id)))
        users = [{"name": "Bench Admin", "email": "admin@bench.example.org", "role": Role.ADMIN},
                 {"name": "Bench Head", "email": "head@bench.example.org", "role": Role.HEAD_OF_SERVICE}]
        for i, _ in enumerate(home_ids):
            users.append({"name": f"Manager {i}", "email": f"manager{i}@bench.example.org", "role": Role.REGISTERED_MANAGER})
        for i in range(max(-(-homes // 6), 1)):  # one visitor and one service manager per six homes
            users.append({"name": f"Visitor {i}", "email": f"visitor{i}@bench.example.org", "role": Role.REG44_VISITOR})
            users.append({"name": f"Service manager {i}", "email": f"sm{i}@bench.example.org", "role": Role.SERVICE_MANAGER})
        db.session.execute(insert(User), [{**u, "password_hash": pw, "active": True, "created_at": NOW} for u in users])
        by_email = dict(db.session.execute(select(User.email, User.id)).all())
        assignments = []
        for i, home_id in enumerate(home_ids):
            assignments.append({"user_id": by_email[f"manager{i}@bench.example.org"], "home_id": home_id})
            assignments.append({"user_id": by_email[f"visitor{i // 6}@bench.example.org"], "home_id": home_id})
            assignments.append({"user_id": by_email[f"sm{i // 6}@bench.example.org"], "home_id": home_id})
        db.session.execute(insert(Assignment), [{**a, "created_at": NOW} for a in assignments])
        db.session.commit()

        # History: every area's records for `months` past months (bench/history_*.py).
        estate = Estate(home_ids=home_ids, home_names=dict(db.session.execute(select(Home.id, Home.name)).all()),
                        by_email=by_email, months=months, now=NOW, rng=rng,
                        rules={r.code: r for r in db.session.scalars(select(Rule))})
        written: dict[str, int] = {}
        for module in history_modules(only_history):
            writer = Writer()
            module.add(estate, writer)
            for table, count in writer.close().items():
                written[table] = written.get(table, 0) + count
        # Current obligations and the alerts they have reached, through the scheduler's sweep.
        first = scheduled_sweep(NOW + timedelta(days=9))
        # What the scheduler's statistics job does when it starts (and nightly): without the
        # planner's row counts SQLite picks plans that walk every home's obligations.
        refresh_planner_statistics()
        counts = {"homes": homes, "users": len(users),
                  "obligations": db.session.query(Obligation).count(),
                  "alerts": db.session.query(Alert).count(),
                  "audit_events": db.session.query(AuditEvent).count(),
                  "history_rows": dict(sorted(written.items())),
                  "sweep_examined": first["examined"], "sweep_seconds": first["seconds"],
                  "count_seconds": first["count_seconds"],
                  "build_seconds": round(time.monotonic() - started, 1)}
    return counts


def history_modules(only: list[str] | None = None) -> list:
    """bench/history_*.py, in name order: each adds one area's history (`add(estate, writer)`).
    `only` (--history) keeps the modules whose name contains one of its words."""
    paths = sorted((ROOT / "bench").glob("history_*.py"))
    return [importlib.import_module(f"bench.{path.stem}") for path in paths
            if not only or any(word in path.stem for word in only)]


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args, **kwargs):
        self.count += 1


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def sign_in(client, email):
    token = _TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, f"sign-in failed for {email}"


def pages(app) -> list[tuple[str, str, str]]:
    """(who, url, name): every page a person opens day to day, for the role that opens it."""
    from homes_qa.reg44.models import Reg44Visit
    with app.app_context():
        home_id = db.session.scalar(select(Home.id).order_by(Home.id))
        first_visit = db.session.scalar(select(Reg44Visit.id).where(Reg44Visit.home_id == home_id)
                                        .order_by(Reg44Visit.visited_on.desc()))
    candidates = [
        ("manager0@bench.example.org", "/"),
        ("manager0@bench.example.org", "/homes/"),
        ("manager0@bench.example.org", f"/homes/{home_id}"),
        ("head@bench.example.org", "/"),
        ("head@bench.example.org", "/homes/"),
        ("head@bench.example.org", "/audit/"),
        ("head@bench.example.org", f"/audit/?home={home_id}"),
        ("admin@bench.example.org", "/admin/users"),
        ("admin@bench.example.org", "/admin/homes"),
        ("sm0@bench.example.org", "/"),
        ("manager0@bench.example.org", "/alerts/"),
        ("sm0@bench.example.org", "/alerts/"),
        ("head@bench.example.org", "/alerts/"),
        ("admin@bench.example.org", "/admin/rules/"),
        ("head@bench.example.org", "/organisation/"),
        ("manager0@bench.example.org", f"/homes/{home_id}/checks"),
        ("visitor0@bench.example.org", "/reg44/"),
        ("manager0@bench.example.org", "/reg44/"),
        ("sm0@bench.example.org", "/reg44/"),
        ("head@bench.example.org", "/reg44/"),
        ("visitor0@bench.example.org", "/reg44/workload"),
        ("head@bench.example.org", "/reg44/workload"),
        ("manager0@bench.example.org", f"/reg44/homes/{home_id}"),
        ("head@bench.example.org", f"/reg44/homes/{home_id}"),
        ("manager0@bench.example.org", f"/reg44/homes/{home_id}/action-plans"),
        ("manager0@bench.example.org", f"/homes/{home_id}/reg45"),
        ("visitor0@bench.example.org", "/reg44/visits/{first_visit}"),
        ("visitor0@bench.example.org", "/reg44/visits/{first_visit}/report"),
        ("sm0@bench.example.org", "/exceptions/"),
        ("head@bench.example.org", "/exceptions/"),
        # Each area's own pages, over its five years of records.
        ("manager0@bench.example.org", "/incidents"),
        ("sm0@bench.example.org", "/incidents"),
        ("sm0@bench.example.org", "/safeguarding-summaries"),
        ("manager0@bench.example.org", f"/homes/{home_id}/audits"),
        ("manager0@bench.example.org", f"/homes/{home_id}/fire-log"),
        ("manager0@bench.example.org", f"/homes/{home_id}/register"),
        ("manager0@bench.example.org", f"/homes/{home_id}/inspections"),
        ("manager0@bench.example.org", "/actions"),
        ("head@bench.example.org", "/actions"),
        ("head@bench.example.org", "/qa-reviews"),
        ("head@bench.example.org", "/qpag"),
        ("head@bench.example.org", "/qpag-reports"),
        ("head@bench.example.org", "/exceptions/kpis"),
    ]
    with app.test_request_context():
        routes = {rule.rule for rule in app.url_map.iter_rules()}
    # Each page is named by its URL pattern ("…/visits/{first_visit}"): the ids differ by estate.
    candidates = [(who, url.replace("{first_visit}", str(first_visit)), url) for who, url in candidates]
    unknown = [url for _, url, _ in candidates
               if not any(re.fullmatch(re.sub(r"<[^>]+>", r"[^/]+", r), url.split("?")[0]) for r in routes)]
    if unknown:  # a renamed page must be renamed here too, never silently dropped from the bench
        raise SystemExit(f"bench names pages the app does not have: {unknown}")
    return candidates


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class FloorProbe:
    """On `template_rendered` (still inside the request, as the signed-in user, with the
    request's objects loaded), render the page's template again alone with the same context,
    `repeat` times: the render-only floor. Only during an extra, untimed request."""

    def __init__(self):
        self.active = False
        self.repeat = 0
        self.times: list[float] = []
        self.template: str | None = None

    def __call__(self, sender, template, context, **extra):
        if not self.active or self.template is not None:
            return  # only the page's own (first) template, not partials it renders
        self.template = template.name
        for _ in range(self.repeat):
            started = time.perf_counter()
            template.render(context)
            self.times.append((time.perf_counter() - started) * 1000)

    def start(self, repeat: int):
        self.active, self.repeat, self.times, self.template = True, repeat, [], None

    def stop(self) -> float | None:
        self.active = False
        return statistics.median(self.times) if self.times else None


def measure(app, repeat: int, only: list[str] | None = None) -> dict:
    counter = None
    with app.app_context():
        counter = QueryCounter(db.engine)
    probe = FloorProbe()
    template_rendered.connect(probe, app)
    results = {}
    for who, url, name in pages(app):
        if only and not any(part in f"{who.split('@')[0]} {name}" for part in only):
            continue
        client = app.test_client()
        sign_in(client, who)
        client.get(url)  # warm templates
        times, queries = [], []
        for _ in range(repeat):
            before = counter.count
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            queries.append(counter.count - before)
            if response.status_code != 200:
                raise SystemExit(f"{url} as {who}: HTTP {response.status_code}")
        probe.start(repeat)
        client.get(url)
        floor = probe.stop()
        p50 = statistics.median(times)
        results[f"{who.split('@')[0]} {name}"] = {
            "p50_ms": round(p50, 1), "p95_ms": round(_percentile(times, 0.95), 1), "queries": max(queries),
            "template": probe.template, "floor_ms": round(floor, 1) if floor is not None else None,
            "page_over_floor": round(p50 / floor, 2) if floor else None}
    template_rendered.disconnect(probe, app)
    return results


def scheduled_sweep(at: datetime) -> dict:
    """What the scheduler's sweep job does (homes_qa/jobs/definitions.py `_sweep`): the week's
    safeguarding summary obligations, the sweep, then every home's open work counted for the
    grid of someone who sees every home. `seconds` is the sweep's own; the count's is apart."""
    ensure_weekly_summaries(at)
    result = alert_service.sweep(at)
    started = time.perf_counter()
    count_open_work(at)
    return {"examined": result.examined, "raised": len(result.raised), "seconds": round(result.seconds, 3),
            "count_seconds": round(time.perf_counter() - started, 3)}


def steady_sweep(app, at: datetime) -> dict:
    """The sweep an hour after the build's: what a scheduler does every SWEEP_MINUTES."""
    with app.app_context(), acting_as("bench"):
        return scheduled_sweep(at)


def count_now(app) -> None:
    """The pages are requested at the wall clock's instant: the open work as the scheduler's
    last sweep (minutes ago) counted it, so the head of service's grid reads kept counts."""
    with app.app_context():
        count_open_work(utcnow())


def make(tmp: Path, name: str):
    path = tmp / f"{name}.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(tmp / name), "LOGIN_RATE_LIMIT": "100000 per minute"})
    with app.app_context():
        upgrade()
    return app


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--homes", type=int, default=100)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--scale", type=int, default=1, help="multiply the number of homes (SCALE=10)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--compare", type=Path,
                        help="an earlier run's --json (e.g. scale 1): print each page's p50 and the sweep ÷ that run's")
    parser.add_argument("--history", action="append", metavar="WORD",
                        help="build only the bench/history_*.py modules whose name has this word (repeatable)")
    parser.add_argument("--only", action="append", metavar="SUBSTRING",
                        help="measure only the pages whose 'who url' contains this (repeatable)")
    args = parser.parse_args()
    import logging
    logging.disable(logging.INFO)
    homes = args.homes * args.scale
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        small_app, large_app = make(tmp, "small"), make(tmp, "large")
        small = build(small_app, homes=6, months=2, only_history=args.history)
        large = build(large_app, homes=homes, months=args.months, only_history=args.history)
        large["steady_sweep"] = steady_sweep(large_app, NOW + timedelta(days=9, hours=1))
        count_now(small_app)
        count_now(large_app)
        settle()  # as each server process does when it is ready (homes_qa.wsgi)
        small_pages, large_pages = (measure(small_app, args.repeat, args.only),
                                    measure(large_app, args.repeat, args.only))
        # After a month's downtime: every alert the month reached, raised and e-mailed at once.
        large["downtime_sweep"] = steady_sweep(large_app, MONTH_END)
        # When a period turns every home's stream gets its next obligation and what was due by
        # its end and not done is overdue: the one sweep a month (a week, for weekly rules) whose
        # cost follows the number of homes.
        large["period_turn_sweep"] = steady_sweep(large_app, PERIOD_TURN)
    peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"small estate: {json.dumps(small)}")
    print(f"large estate ({homes} homes × {args.months} months, scale {args.scale}): {json.dumps(large)}")
    print(f"peak RSS: {peak_rss_mb} MB")
    print(f"\n{'page':<55} {'small q':>7} {'large q':>7} {'p50 ms':>7} {'p95 ms':>7} {'floor ms':>8} {'÷ floor':>7}")
    unbounded = []
    for page, measured in large_pages.items():
        small_q = small_pages[page]["queries"]
        flag = ""
        if measured["queries"] > small_q:
            unbounded.append(page)
            flag = "  <- grows with history"
        print(f"{page:<55} {small_q:>7} {measured['queries']:>7} {measured['p50_ms']:>7} {measured['p95_ms']:>7} "
              f"{measured['floor_ms'] if measured['floor_ms'] is not None else '-':>8} "
              f"{measured['page_over_floor'] if measured['page_over_floor'] is not None else '-':>7}{flag}")
    if args.json:
        args.json.write_text(json.dumps({"scale": args.scale, "homes": homes, "months": args.months,
                                         "repeat": args.repeat, "peak_rss_mb": peak_rss_mb,
                                         "small": small, "large": large, "pages": large_pages,
                                         "small_pages": small_pages}, indent=2))
    if args.compare and args.compare.exists():
        _print_comparison(json.loads(args.compare.read_text()), large, large_pages)
    if unbounded:
        print(f"\nFAIL: {len(unbounded)} page(s) make more queries as history grows", file=sys.stderr)
        return 1
    print("\nOK: every page's query count is the same on the small and the large estate")
    return 0


def _print_comparison(before: dict, large: dict, large_pages: dict) -> None:
    """This run against an earlier one (10× against 1×): the issue's flatness target is ≤ 1.5."""
    print(f"\nagainst {before['homes']} homes (scale {before['scale']}): p50 here ÷ p50 there")
    ratios = []
    for page, measured in large_pages.items():
        there = before["pages"].get(page)
        if there and there["p50_ms"]:
            ratio = round(measured["p50_ms"] / there["p50_ms"], 2)
            ratios.append(ratio)
            print(f"{page:<55} {there['p50_ms']:>8} {measured['p50_ms']:>8} {ratio:>6}{'  > 1.5' if ratio > 1.5 else ''}")
    for sweep in ("steady_sweep", "downtime_sweep", "period_turn_sweep"):
        if sweep in before["large"] and sweep in large:
            there, here = before["large"][sweep]["seconds"], large[sweep]["seconds"]
            print(f"{sweep:<55} {there:>8} {here:>8} {round(here / there, 2) if there else '-':>6}")
    if ratios:
        print(f"pages within 1.5×: {sum(r <= 1.5 for r in ratios)} of {len(ratios)}")


if __name__ == "__main__":
    raise SystemExit(main())
