import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from agreements.models import Agreement
from tests.chromium import browser  # noqa: F401 - the real-browser tests' fixture
from tests.factories import UserFactory
from tests.s3 import s3_documents, s3_server  # noqa: F401 - an S3 API server for documents
from tests.smtp import mail_server  # noqa: F401 - a real SMTP server for the reminder tests

# "Today" for the whole run: tests compute their expected dates when their module is
# imported, and a run that crosses midnight must not see the portal's today move on.
RUN_DATE = timezone.localdate()
_localdate = timezone.localdate


def _run_localdate(value=None, timezone=None):
    if value is None and timezone is None:
        return RUN_DATE
    return _localdate(value, timezone)


timezone.localdate = _run_localdate


@pytest.fixture(autouse=True, scope="session")
def compiled_translations():
    """The .mo files from the .po files as they are now (make does this too)."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "compile_translations.py"
    subprocess.run([sys.executable, str(script)], check=True)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Tests make many users; the production hasher's deliberate slowness only costs time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editors"])


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer", groups=["Viewers"])


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Agreement.objects.get(slug="nitec-madrid-digital-cooperation-2025")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, test in a file of this run's own rather than in memory: an in-memory
    database shares one cache between threads, where a busy table fails at once
    instead of waiting, so simultaneous-save tests could not run as in production."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = Path(tempfile.gettempdir()) / f"accords-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(autouse=True)
def english_to_start_with():
    """Each test starts in English: a request in another language leaves that language
    active in the thread, and the next test's reverse() and messages would follow it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def search_documents_at_once(request, monkeypatch):
    """Tests run inside a transaction that never commits, so the search documents that
    a commit would rebuild (agreements/search.py) are rebuilt at once instead. Tests
    marked transaction=True or search_at_commit keep the real behaviour, rebuilt at
    commit (for the latter, never: such a test counts queries, not documents)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return
    if request.node.get_closest_marker("search_at_commit"):
        return
    from agreements import search

    monkeypatch.setattr(
        search,
        "rebuild",
        lambda kind, ids, using="default": search._rebuild_locked(
            {kind: {pk for pk in ids if pk is not None}}, using
        ),
    )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded documents of a test go to its own folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
