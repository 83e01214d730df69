"""Security: production settings, headers, error pages, login throttling, CSRF, XSS, permissions."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
from partners.models import Agency, Representative
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    DocumentLinkFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="accords.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers_on_every_page(client, demo):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles(client, demo, viewer):
    client.force_login(viewer)
    for url in [reverse("home"), demo.get_absolute_url(), reverse("agreements:milestone_list")]:
        content = client.get(url).content.decode()
        assert "<script" not in content
        assert " style=" not in content


def test_404_page_is_ours_and_leaks_nothing(client, db):
    response = client.get("/en/agreements/does-not-exist/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert "Traceback" not in content
    assert "agreements.views" not in content


def test_500_page_is_ours_and_leaks_nothing(client, db, settings):
    client.raise_request_exception = False
    settings.ROOT_URLCONF = "tests.broken_urls"
    response = client.get("/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content
    assert "Traceback" not in content
    assert "ZeroDivisionError" not in content


def test_admin_is_only_for_staff(client, db):
    assert client.get("/en/admin/").status_code == 302
    client.force_login(UserFactory(is_staff=False))
    response = client.get("/en/admin/agreements/agreement/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")


RIGHT = "correct horse battery"


def attempt(client, password, username="marta", **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def fast_passwords(settings):
    """Dozens of log-ins per test: hash passwords cheaply (what is tested is the throttling)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.usefixtures("fast_passwords")
class TestLoginThrottling:
    def test_five_failures_lock_the_account_even_for_the_right_password(self, client, db):
        UserFactory(username="marta")
        for _ in range(5):
            assert attempt(client, "guess").status_code in (200, 429)
        response = attempt(client, RIGHT)
        assert response.status_code == 429
        assert "Too many failed log-in attempts" in response.content.decode()
        assert not logged_in(client)

    def test_a_few_typos_do_not_lock_anyone_out(self, client, db):
        UserFactory(username="marta")
        for _ in range(3):
            attempt(client, "typo")
        response = attempt(client, RIGHT)
        assert response.status_code == 302
        assert logged_in(client)

    def test_one_persons_typos_never_lock_out_colleagues_at_the_same_address(self, db):
        UserFactory(username="marta")
        UserFactory(username="juan")
        marta, juan = Client(), Client()  # one office, one address
        for _ in range(25):  # locked out after five, and keeps trying
            attempt(marta, "typo")
        assert attempt(marta, RIGHT).status_code == 429
        assert attempt(juan, RIGHT, username="juan").status_code == 302
        assert logged_in(juan)

    def test_password_spraying_from_one_address_is_stopped(self, client, db):
        UserFactory(username="marta")
        statuses = [
            attempt(client, "Winter2025!", username=f"user{n}").status_code for n in range(30)
        ]
        assert statuses[:19] == [200] * 19  # failed log-ins, each shown the form again
        assert set(statuses[19:]) == {429}  # from the 20th failure on: the lockout page
        response = attempt(client, RIGHT)  # even a right password, for a fresh user name
        assert response.status_code == 429
        assert "Too many failed log-in attempts" in response.content.decode()
        assert not logged_in(client)
        elsewhere = Client(REMOTE_ADDR="198.51.100.7")
        assert attempt(elsewhere, RIGHT).status_code == 302
        assert logged_in(elsewhere)

    def test_logging_in_to_ones_own_account_does_not_reset_the_address(self, client, db):
        UserFactory(username="sprayer")
        UserFactory(username="marta")
        for round_ in range(3):  # 19 failures, then a log-in meant to wipe them, and again
            for n in range(19):
                attempt(client, "Winter2025!", username=f"user{round_}-{n}")
            attempt(client, RIGHT, username="sprayer")
            client.logout()
        assert attempt(client, RIGHT).status_code == 429
        assert not logged_in(client)


def client_address_settings(monkeypatch, proxy_count=None):
    """The AXES_* and IPWARE_* settings config/settings.py makes for this DJANGO_PROXY_COUNT."""
    if proxy_count is None:
        monkeypatch.delenv("DJANGO_PROXY_COUNT", raising=False)
    else:
        monkeypatch.setenv("DJANGO_PROXY_COUNT", str(proxy_count))
    made = runpy.run_path(str(ROOT / "config" / "settings.py"))
    return {k: v for k, v in made.items() if k.startswith(("AXES_", "IPWARE_"))}


PROXIES = ["10.0.0.11", "10.0.0.12"]  # REMOTE_ADDR is always the last proxy's address


def through_proxies(count, client_address, forged=""):
    """Client's request as Django gets it through `count` proxies. Each proxy appends the
    address it got the request from to X-Forwarded-For; the client may send its own."""
    hops = [client_address, *PROXIES[: count - 1]]
    header = ", ".join(([forged] if forged else []) + hops)
    return {"REMOTE_ADDR": PROXIES[count - 1], "HTTP_X_FORWARDED_FOR": header}


@pytest.mark.usefixtures("fast_passwords")
class TestClientAddress:
    @pytest.mark.parametrize("proxies", [1, 2])
    def test_behind_proxies_a_lockout_stays_with_the_client_that_earned_it(
        self, monkeypatch, db, proxies
    ):
        UserFactory(username="marta")
        with override_settings(**client_address_settings(monkeypatch, proxies)):
            attacker = Client(**through_proxies(proxies, "203.0.113.9"))
            for _ in range(5):
                attempt(attacker, "guess")
            assert attempt(attacker, RIGHT).status_code == 429
            # Forging an address in front of the proxies' entries does not help.
            for n in range(5):
                forged = Client(**through_proxies(proxies, "203.0.113.9", f"192.0.2.{n}"))
                assert attempt(forged, RIGHT).status_code == 429
            # The real marta, elsewhere, through the same proxies, is not locked out.
            marta = Client(**through_proxies(proxies, "198.51.100.4"))
            assert attempt(marta, RIGHT).status_code == 302
            assert logged_in(marta)

    def test_without_a_proxy_a_forged_header_neither_dodges_nor_causes_a_lockout(
        self, monkeypatch, db
    ):
        UserFactory(username="marta")
        with override_settings(**client_address_settings(monkeypatch)):
            attacker = Client(REMOTE_ADDR="203.0.113.9")
            for n in range(5):  # a new X-Forwarded-For every time, naming marta's address
                attempt(attacker, "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.4, 192.0.2.{n}")
            response = attempt(attacker, RIGHT, HTTP_X_FORWARDED_FOR="192.0.2.99")
            assert response.status_code == 429
            marta = Client(REMOTE_ADDR="198.51.100.4")
            assert attempt(marta, RIGHT).status_code == 302
            assert logged_in(marta)


class TestCsrf:
    def test_login_form_needs_its_token(self, db):
        UserFactory(username="marta")
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            reverse("login"), {"username": "marta", "password": "correct horse battery"}
        )
        assert response.status_code == 403
        assert "This form has expired" in response.content.decode()

    def test_admin_forms_need_their_token(self, editor):
        agreement = AgreementFactory(title="Unchanged")
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        assert client.post(url, {"title": "Changed"}).status_code == 403
        assert Agreement.objects.get().title == "Unchanged"


MODELS = [Agency, Representative, CooperationArea, Agreement, Party, Milestone, DocumentLink]


def one_of_each():
    party = PartyFactory()
    MilestoneFactory(agreement=party.agreement, responsible_agency=party.agency)
    DocumentLinkFactory(agreement=party.agreement)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_viewers_cannot_add_change_or_delete_anything(client, viewer, model):
    one_of_each()
    obj = model.objects.first()
    before = model.objects.count()
    client.force_login(viewer)
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    refused = client.post(reverse(f"{name}_add"), {})
    assert refused.status_code == 403
    assert "You are not allowed to do this" in refused.content.decode()
    assert client.post(reverse(f"{name}_change", args=[obj.pk]), {}).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize("model", [Agency, Representative, CooperationArea])
def test_editors_cannot_delete_shared_records(client, editor, model):
    one_of_each()
    obj = model.objects.first()
    client.force_login(editor)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def hostile(db):
    """A record whose every text field carries a script."""
    area = CooperationArea.objects.create(name=XSS[:90], slug="xss-area", description=XSS)
    agency = AgencyFactory(
        name=XSS, acronym="X<b>", slug="xss-agency", jurisdiction=XSS, description=XSS,
        website="https://example.org/?q=%22%3E%3Cscript%3E",
    )  # fmt: skip
    agreement = AgreementFactory(
        title=XSS, slug="xss-agreement", summary=XSS, place_of_signing=XSS, event=XSS,
        reference="XSS<i>",
    )  # fmt: skip
    agreement.areas.set([area])
    signatory = RepresentativeFactory(agency=agency, full_name=XSS, position=XSS, phone=XSS)
    PartyFactory(agreement=agreement, agency=agency, signatory=signatory)
    MilestoneFactory(agreement=agreement, title=XSS, description=XSS, area=area,
                     responsible_agency=agency)  # fmt: skip
    DocumentLinkFactory(agreement=agreement, title=XSS)
    return agreement


def assert_escaped(content: str, url: str):
    assert "<script>alert(1)</script>" not in content, url
    assert "<img src=x onerror" not in content, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url


def test_every_page_escapes_hostile_text(client, viewer, hostile):
    pages = [
        reverse("home"),
        reverse("agreements:agreement_list"),
        reverse("agreements:agreement_list") + "?q=script",
        hostile.get_absolute_url(),
        reverse("agreements:milestone_list"),
        reverse("agreements:area_list"),
        "/en/areas/xss-area/",
        reverse("partners:agency_list"),
        "/en/agencies/xss-agency/",
    ]
    for user in (None, viewer):
        if user:
            client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_escaped(response.content.decode(), url)


def test_admin_escapes_hostile_text(client, superuser, hostile):
    client.force_login(superuser)
    for model in MODELS:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        obj = model.objects.order_by("-pk").first()
        for url in (reverse(f"{name}_changelist"), reverse(f"{name}_change", args=[obj.pk])):
            response = client.get(url)
            assert response.status_code == 200, url
            content = response.content.decode()
            assert "<script>alert(1)</script>" not in content, url
            assert "<img src=x onerror" not in content, url
    response = client.get(reverse("admin:agreements_agreement_history", args=[hostile.pk]))
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_no_password_reset_mail_to_misconfigure(client, db):
    assert client.get("/accounts/password_reset/").status_code == 404
