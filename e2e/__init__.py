"""End-to-end tests: a real browser against a live server (see conftest.py)."""
