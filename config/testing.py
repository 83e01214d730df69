"""Pytest plugin (loaded with `-p config.testing` before Django starts): the test environment.

Tests run with debug off, as production does, but over plain HTTP and with a
throwaway key. A value already in the environment (e.g. DATABASE_URL in CI) wins.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_STATIC_MANIFEST", "0")  # no collectstatic before tests
