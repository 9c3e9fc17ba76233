"""Behind TRUSTED_PROXIES reverse proxies, the client's own address is the one that counts."""

import pytest

PROXY = "127.0.0.1"


def failed_login(client, email: str, forwarded_for: str):
    return client.post("/login", data={"email": email, "password": "wrong"},
                       headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": PROXY})


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self):
        return {"TRUSTED_PROXIES": 1, "LOGIN_FAILURES_PER_ADDRESS": "2 per hour"}

    def test_failed_logins_are_throttled_per_client_not_per_proxy(self, app):
        for n in range(2):
            assert failed_login(app.test_client(), f"u{n}@example.com",
                                "203.0.113.7").status_code == 422
        assert failed_login(app.test_client(), "u9@example.com",
                            "203.0.113.7").status_code == 429
        assert failed_login(app.test_client(), "u9@example.com",
                            "198.51.100.4").status_code == 422

    def test_a_forged_address_before_the_proxys_own_is_ignored(self, app):
        for n in range(2):
            failed_login(app.test_client(), f"u{n}@example.com", f"10.9.9.{n}, 203.0.113.7")
        assert failed_login(app.test_client(), "u9@example.com",
                            "10.9.9.99, 203.0.113.7").status_code == 429


class TestWithoutProxy:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_FAILURES_PER_ADDRESS": "2 per hour"}

    def test_forwarded_addresses_are_not_believed(self, app):
        for n in range(2):
            failed_login(app.test_client(), f"u{n}@example.com", f"203.0.113.{n}")
        assert failed_login(app.test_client(), "u9@example.com",
                            "198.51.100.4").status_code == 429
