"""The `make load` users (bench/load.py starts the servers, then locust headless with this file).

Each simulated person signs in as their own account of the synthetic estate (bench/run_bench.py
`build`: home n+1 is managed by manager<n>, service manager <k> and visitor <k> cover homes
6k+1 … 6k+6), with the CSRF token from the sign-in page, then browses what that role opens day
to day: their first page, lists, a home page, alerts. Every page must answer 200 without a
redirect (a redirect to the sign-in page would be a lost session): anything else is a failure.
"""
from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-password-123")
HOMES = int(os.environ.get("LOAD_HOMES", "20"))
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

# Mixed roles, in this proportion: 6 registered managers, 2 service managers, 1 visitor, 1 head.
_ROLES = ["manager"] * 6 + ["sm"] * 2 + ["visitor", "head"]
_next = itertools.count()
_per_role: dict[str, itertools.count] = {}


def _account(n: int) -> tuple[str, str, list[int]]:
    """(role, e-mail, home ids it may open) for the n-th simulated person: each role's
    accounts in turn, so 50 people are 50 sessions over as many accounts as the estate has."""
    role = _ROLES[n % len(_ROLES)]
    i = next(_per_role.setdefault(role, itertools.count()))
    if role == "manager":
        return role, f"manager{i % HOMES}@bench.example.org", [i % HOMES + 1]
    if role in ("sm", "visitor"):
        k = i % max(-(-HOMES // 6), 1)
        return role, f"{role}{k}@bench.example.org", [h + 1 for h in range(6 * k, min(6 * k + 6, HOMES))]
    return role, "head@bench.example.org", list(range(1, HOMES + 1))


class Person(HttpUser):
    wait_time = between(1, 3)  # a person reads a page before opening the next

    def on_start(self):
        self.role, self.email, self.homes = _account(next(_next))
        page = self.client.get("/sign-in", name="/sign-in")
        match = TOKEN.search(page.text)
        with self.client.post("/sign-in", data={"email": self.email, "password": PASSWORD,
                                                "csrf_token": match.group(1) if match else ""},
                              allow_redirects=False, name="/sign-in (POST)", catch_response=True) as response:
            if response.status_code != 303:
                response.failure(f"sign-in as {self.email}: HTTP {response.status_code}")

    def _open(self, url: str, name: str):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{url} as {self.email}: HTTP {response.status_code}")

    @task(4)
    def first_page(self):
        self._open("/", f"{self.role} /")

    @task(2)
    def alerts(self):
        self._open("/alerts/", f"{self.role} /alerts/")

    @task(2)
    def lists(self):
        if self.role == "visitor":
            self._open("/reg44/", "visitor /reg44/")
        else:
            self._open("/homes/", f"{self.role} /homes/")

    @task(2)
    def a_home(self):
        home = random.choice(self.homes)
        if self.role == "visitor":
            self._open(f"/reg44/homes/{home}", "visitor /reg44/homes/<id>")
        else:
            self._open(f"/homes/{home}", f"{self.role} /homes/<id>")
