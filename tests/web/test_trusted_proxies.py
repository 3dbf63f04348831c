"""Behind a reverse proxy (README "Running beyond one machine"): with TRUSTED_PROXIES set, the
per-address sign-in limit counts each client's forwarded address, not the proxy's; without it
a forged X-Forwarded-For changes nothing."""
from __future__ import annotations

import pytest

from homes_qa import create_app
from homes_qa.extensions import limiter
from tests.helpers import csrf_token, make_app


def _failures(client, token: str, address: str, times: int) -> list[int]:
    return [client.post("/sign-in", data={"email": f"{n}@example.org", "password": "x", "csrf_token": token},
                        headers={"X-Forwarded-For": address}).status_code for n in range(times)]


def _app(tmp_path, migrated_db, **config):
    app = make_app(tmp_path, migrated_db, LOGIN_RATE_LIMIT="2 per minute", **config)
    with app.app_context():
        limiter.reset()
    return app


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limit(tmp_path, migrated_db):
    client = _app(tmp_path, migrated_db, TRUSTED_PROXIES=1).test_client()
    token = csrf_token(client)
    assert _failures(client, token, "198.51.100.7", 3) == [200, 200, 429]
    assert _failures(client, token, "198.51.100.8", 1) == [200]  # someone else in the office


def test_without_trusted_proxies_a_forwarded_address_is_ignored(tmp_path, migrated_db):
    client = _app(tmp_path, migrated_db).test_client()
    token = csrf_token(client)
    assert _failures(client, token, "198.51.100.7", 2) == [200, 200]
    assert _failures(client, token, "198.51.100.8", 1) == [429]  # a forged header is no way round it


@pytest.mark.parametrize("value", [-1, 6, True, "2"])
def test_trusted_proxies_is_a_small_whole_number(tmp_path, value):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "INSTANCE_PATH": str(tmp_path), "TRUSTED_PROXIES": value})
