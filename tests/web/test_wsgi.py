"""The server's WSGI app (`homes_qa.wsgi:app`, what gunicorn serves) is made once and what it
made while starting is set aside from the garbage collector: a full collection walked all of it
(~200,000 objects), pausing a request for 80–130 ms every few dozen (issue 13, make bench)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_app_starts_with_its_start_up_objects_frozen(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite'}", "SECRET_KEY": "test-wsgi"}
    probe = ("import gc, json; from homes_qa.wsgi import app; import run; "
             "print(json.dumps({'frozen': gc.get_freeze_count(), 'name': app.name, 'same': run.app is app}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # Flask, SQLAlchemy, Jinja and the app's own modules: far more than any one request makes.
    assert found["frozen"] > 50_000 and found["name"] == "homes_qa" and found["same"]
