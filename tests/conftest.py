import io

import pytest
from django.core.management import call_command

from agreements.models import Agreement
from tests.factories import UserFactory


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
