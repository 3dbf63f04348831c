"""`make bench` builds from every area's history module and opens every page it times: a
history module that writes nothing, or rows a page cannot show, fails here, not in a bench run."""
from __future__ import annotations

from bench import run_bench


def test_every_area_writes_history_and_every_bench_page_opens(tmp_path):
    app = run_bench.make(tmp_path, "estate")
    built = run_bench.build(app, homes=3, months=7)
    modules = {module.__name__.rsplit(".", 1)[1] for module in run_bench.history_modules()}
    assert {"history_calendar", "history_checks", "history_reg44", "history_incidents", "history_audits",
            "history_inspections", "history_reg45"} <= modules
    rows = built["history_rows"]
    for table in ("obligations", "completions", "certificate_entries", "fire_log_entries", "reg44_visits",
                  "reg44_reports", "reg44_action_plan_responses", "incidents", "incident_notifications",
                  "home_audits", "inspections", "reg45_reviews"):
        assert rows.get(table, 0) > 0, f"no {table} in the bench's history"
    # Closed history, as the services close it: met or met late, never open in the past months.
    assert built["obligations"] > rows["obligations"]  # … and the sweep made the current ones
    seen = set()
    for who, url, name in run_bench.pages(app):
        client = app.test_client()
        run_bench.sign_in(client, who)
        response = client.get(url)
        assert response.status_code == 200, f"{name} as {who}: HTTP {response.status_code}"
        seen.add((who, name))
    assert len(seen) >= 40
