"""Property-based fuzzing of the admin: any changelist query string, any value in any
field of an add or change form, never a 500."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.models import Agreement
from tests.admin_forms import form_data
from tests.test_admin_permissions import CHANGED_FIELD, as_new_record, record_for
from tests.test_fuzz import TRICKY

pytestmark = [
    pytest.mark.django_db,
    # Django's own date filters pass a typed date on as a naive datetime: a logged
    # warning in production, not an error, and not ours to fix.
    pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime"),
]

OUR_MODELS = list(CHANGED_FIELD)
values = st.one_of(
    st.text(max_size=200),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
    st.sampled_from([*TRICKY, "abc", "99999", "0", "10000", "1.5", "2025-13-01", "on"]),
)
fuzz = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def query_keys(html: str) -> list[str]:
    """Every query-string key the changelist's own links use (filters, sorting, paging)."""
    keys = set()
    for href in re.findall(r'href="(\?[^"]*)"', html):
        keys.update(key for key, _ in parse_qsl(urlsplit(unescape(href)).query))
    return sorted(keys | {"q", "o", "p", "all", "e", "_facets"})


@pytest.fixture
def target(request, client, superuser):
    """The test's record, made once: examples share the database, not a fresh one each."""
    client.force_login(superuser)
    return record_for(request.node.callspec.params["model"])


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_any_changelist_query_string_gives_a_page(client, target, model):
    url = admin_url(model, "changelist")
    keys = query_keys(client.get(url).content.decode())

    @fuzz
    @given(st.dictionaries(st.one_of(st.sampled_from(keys), st.text(max_size=20)), values,
                           max_size=5))  # fmt: skip
    def check(params):
        response = client.get(url, params)
        # 302: the admin's own answer to a filter it cannot apply (?e=1);
        # 400: its answer to a lookup it does not allow (a probe, not a user's filter).
        assert response.status_code in (200, 302, 400)

    check()


@pytest.mark.parametrize("view", ["change", "add"])
@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m.__name__)
def test_any_value_in_any_admin_form_field_gives_a_page(client, target, model, view):
    payload = form_data(client.get(admin_url(model, "change", target.pk)).content.decode())
    if view == "add":
        payload = as_new_record(model, payload)
    names = sorted(name for name in payload if name != "csrfmiddlewaretoken")
    url = admin_url(model, "change", target.pk) if view == "change" else admin_url(model, "add")

    @fuzz
    @given(st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=4))
    def check(bad):
        response = client.post(url, {**payload, **bad})
        assert response.status_code in (200, 302)

    check()


HISTORY_MODELS = [m for m in OUR_MODELS if hasattr(m, "history")]


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda m: m.__name__)
def test_any_history_address_gives_a_page_or_not_found(client, target, model):
    opts = model._meta
    base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    ids = st.one_of(
        st.sampled_from(["abc", "0", "-1", "9" * 30, "1.5", "%00", "%F0%9F%92%A5"]),
        st.integers(min_value=-(10**25), max_value=10**25).map(str),
    )

    @fuzz
    @given(object_id=ids, version_id=ids, post=st.booleans())
    def check(object_id, version_id, post):
        for url in [
            f"{base}{object_id}/history/",
            f"{base}{object_id}/history/{version_id}/",
            f"{base}{target.pk}/history/{version_id}/",
        ]:
            response = client.post(url, {"title": "x"}) if post else client.get(url)
            assert response.status_code in (200, 302, 403, 404), url

    check()


AUTOCOMPLETE_FIELDS = [
    (model, field)
    for model, model_admin in admin.site._registry.items()
    for field in getattr(model_admin, "autocomplete_fields", [])
] + [
    (inline.model, field)
    for model_admin in admin.site._registry.values()
    for inline in model_admin.inlines
    for field in getattr(inline, "autocomplete_fields", [])
]


@pytest.mark.parametrize(("model", "field"), AUTOCOMPLETE_FIELDS,
                         ids=lambda v: getattr(v, "__name__", v))  # fmt: skip
def test_any_term_in_any_picker_gives_choices(client, superuser, model, field):
    client.force_login(superuser)
    record_for(Agreement)
    url = reverse("admin:autocomplete")
    params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
              "field_name": field}  # fmt: skip

    @fuzz
    @given(term=values, page=values)
    def check(term, page):
        response = client.get(url, {**params, "term": term, "page": page})
        assert response.status_code in (200, 404)

    check()
