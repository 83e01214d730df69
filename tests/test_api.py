"""The read API: who sees what, keys, filters as on the pages, bad input, caching
headers, throttling, the schema and its documentation, queries per page."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, CooperationArea
from api.models import ApiToken, token_hash
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    PartyFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
AGREEMENTS = "/api/v1/agreements/"
MILESTONES = "/api/v1/milestones/"


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def records(db):
    public = AgreementFactory(reference="AGR-2025-0001", title="Digital bridge")
    internal = AgreementFactory(reference="AGR-2025-0002", visibility="internal", title="Secret")
    signer = RepresentativeFactory(
        agency=AgencyFactory(country="ES"), email="ana@madrid.example", phone="+34 600 000 000"
    )
    PartyFactory(agreement=public, agency=signer.agency, signatory=signer)
    MilestoneFactory(agreement=public, title="Testing platform study", due_date="2030-01-01")
    MilestoneFactory(agreement=internal, title="Internal only step")
    DocumentFactory(agreement=public, title="Signed text", visibility="public")
    DocumentFactory(agreement=public, title="Negotiation memo", visibility="internal")
    return {"public": public, "internal": internal}


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def everything(client, url, **headers):
    """Every row of a cursor-paginated list, following its next links."""
    rows = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


# --- Who sees what ---------------------------------------------------------------------


def test_anonymous_callers_see_what_anonymous_visitors_see(client, records):
    references = [a["reference"] for a in everything(client, AGREEMENTS)]
    assert references == ["AGR-2025-0001"]
    assert client.get(f"{AGREEMENTS}AGR-2025-0002/").status_code == 404
    titles = [m["title"]["en"] for m in everything(client, MILESTONES)]
    assert titles == ["Testing platform study"]
    detail = client.get(f"{AGREEMENTS}AGR-2025-0001/").json()
    signatory = detail["parties"][0]["signatory"]
    assert "email" not in signatory and "phone" not in signatory  # contact details: staff only
    assert [f["title"]["en"] for f in detail["files"]] == ["Signed text"]
    assert "Negotiation memo" not in str(detail)


def test_a_key_gives_what_its_owner_may_see_and_stops_when_revoked(client, records):
    owner = UserFactory(username="aigerim", groups=["Viewers"])
    token, key = ApiToken.issue(owner, "Open-data portal")
    references = [a["reference"] for a in everything(client, AGREEMENTS, **bearer(key))]
    assert references == ["AGR-2025-0001", "AGR-2025-0002"]
    detail = client.get(f"{AGREEMENTS}AGR-2025-0001/", **bearer(key)).json()
    assert detail["parties"][0]["signatory"]["email"] == "ana@madrid.example"
    assert {f["title"]["en"] for f in detail["files"]} == {"Signed text", "Negotiation memo"}
    token.refresh_from_db()
    assert token.last_used_at is not None

    token.revoke()
    response = client.get(AGREEMENTS, **bearer(key))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(AGREEMENTS, **bearer("acc_made-up")).status_code == 401


def test_keys_are_kept_only_as_fingerprints(records):
    token, key = ApiToken.issue(UserFactory(), "Reports")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in str(stored)
    assert stored["key_hash"] == token_hash(key)
    assert key.startswith(stored["prefix"])


def test_the_api_only_reads(client, records, superuser):
    _token, key = ApiToken.issue(superuser, "Everything")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{AGREEMENTS}AGR-2025-0001/", **bearer(key))
        assert response.status_code == 405, method
    assert Agreement.objects.count() == 2


# --- Keys page -------------------------------------------------------------------------


def test_staff_make_a_key_see_it_once_and_revoke_it(client, records):
    client.force_login(UserFactory(username="marta", groups=["Editors"]))
    response = client.post(reverse("api_keys"), {"name": "Ministry dashboard"}, follow=True)
    page = response.content.decode()
    token = ApiToken.objects.get(name="Ministry dashboard")
    key = page.split('id="new-key" value="')[1].split('"')[0]
    assert token_hash(key) == token.key_hash
    assert key not in client.get(reverse("api_keys")).content.decode()  # shown once
    assert client.get(AGREEMENTS, **bearer(key)).status_code == 200

    other = ApiToken.issue(UserFactory(username="someone"), "Theirs")[0]
    assert client.post(reverse("api_key_revoke", args=[other.pk])).status_code == 404
    client.post(reverse("api_key_revoke", args=[token.pk]))
    assert client.get(AGREEMENTS, **bearer(key)).status_code == 401
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_keys_page_is_for_staff(client, records):
    assert client.get(reverse("api_keys")).status_code == 302  # to the log-in page
    client.force_login(UserFactory(username="citizen", is_staff=False))
    assert client.get(reverse("api_keys")).status_code == 403
    assert client.post(reverse("api_keys"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_key_needs_a_name(client):
    client.force_login(UserFactory(groups=["Viewers"]))
    response = client.post(reverse("api_keys"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


# --- Filters, as on the pages ----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [{"q": "bridge"}, {"status": "signed"}, {"area": "govtech"}, {"kind": "mou"},
     {"signed_from": "2025-01-01"}, {"country": "ES"}],
)  # fmt: skip
def test_agreement_filters_keep_what_the_page_keeps(client, records, params):
    govtech = CooperationArea.objects.get(slug="govtech")
    records["public"].areas.add(govtech)
    AgreementFactory(reference="AGR-2024-0003", title="Other", status="draft", kind="framework")
    page = client.get(reverse("agreements:agreement_list"), params)
    shown = sorted(a.reference for a in page.context["paginator"].object_list)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    listed = sorted(a["reference"] for a in everything(client, f"{AGREEMENTS}?{query}"))
    assert listed == shown


def test_milestone_filters_keep_what_the_page_keeps(client, records):
    MilestoneFactory(agreement=records["public"], title="Overdue thing", due_date="2020-01-01")
    listed = [m["title"]["en"] for m in everything(client, f"{MILESTONES}?overdue=true")]
    assert listed == ["Overdue thing"]
    listed = [m["title"]["en"] for m in everything(client, f"{MILESTONES}?q=platform")]
    assert listed == ["Testing platform study"]


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        (f"{AGREEMENTS}?status=finished", "status", "Choose one of the options in the list."),
        (f"{AGREEMENTS}?signed_from=03.13.2025", "signed_from", "Enter a date as year-month-day"),
        (f"{AGREEMENTS}?signed_from=2025-02-01&signed_to=2025-01-01", "signed_to",
         "This date is before the “from” date."),
        (f"{MILESTONES}?due_within=soon", "due_within", "Enter a whole number"),
        (f"{MILESTONES}?stauts=met", "stauts", "Unknown filter."),
        ("/api/v1/areas/?q=ict", "q", "This list takes no filters."),
    ],
)  # fmt: skip
def test_bad_filters_are_a_400_naming_the_field(client, records, url, field, message):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()[field][0]


def test_unknown_records_and_cursors_are_not_found(client, records):
    assert client.get(f"{AGREEMENTS}AGR-1999-9999/").status_code == 404
    assert client.get("/api/v1/agencies/no-such-agency/").status_code == 404
    assert client.get(f"{MILESTONES}999999999999999999999/").status_code == 404
    assert client.get(f"{MILESTONES}?cursor=garbage").status_code == 404


def test_error_messages_follow_the_caller_s_language(client, records):
    response = client.get(f"{AGREEMENTS}?status=finished", HTTP_ACCEPT_LANGUAGE="es")
    assert response.json()["status"][0] == "Elija una de las opciones de la lista."


# --- Caching, throttling, CORS ---------------------------------------------------------


def test_an_unchanged_answer_is_304(client, records):
    response = client.get(f"{AGREEMENTS}AGR-2025-0001/")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(f"{AGREEMENTS}AGR-2025-0001/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        client.get(f"{AGREEMENTS}AGR-2025-0001/", HTTP_IF_MODIFIED_SINCE=modified).status_code
        == 304
    )
    records["public"].title = "Digital bridge, amended"
    records["public"].save()
    assert client.get(f"{AGREEMENTS}AGR-2025-0001/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    listed = client.get(MILESTONES)
    assert client.get(MILESTONES, HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304


def test_too_many_calls_get_429_with_retry_after(client, records, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "3/minute", "key": "5/minute"},
    }
    codes = [client.get(AGREEMENTS).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert int(client.get(AGREEMENTS)["Retry-After"]) > 0
    # A key has its own count.
    _token, key = ApiToken.issue(UserFactory(groups=["Viewers"]), "Reports")
    codes = [client.get(AGREEMENTS, **bearer(key)).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]


def test_other_sites_may_call_only_when_configured(client, records, settings):
    origin = {"HTTP_ORIGIN": "https://opendata.gov.example"}
    assert "Access-Control-Allow-Origin" not in client.get(AGREEMENTS, **origin)
    settings.CORS_ALLOWED_ORIGINS = ["https://opendata.gov.example"]
    response = client.get(AGREEMENTS, **origin)
    assert response["Access-Control-Allow-Origin"] == "https://opendata.gov.example"
    assert "Access-Control-Allow-Origin" not in client.get("/en/agreements/", **origin)


# --- Schema and documentation ----------------------------------------------------------


def test_the_schema_validates_and_names_every_list():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--format", "openapi-json", stdout=out)
    schema = out.getvalue()
    for path in ("/api/v1/agreements/", "/api/v1/milestones/", "/api/v1/agencies/",
                 "/api/v1/areas/", "/api/v1/agreements/{reference}/"):  # fmt: skip
        assert f'"{path}"' in schema
    assert '"bearer"' in schema


def test_the_documentation_page_uses_only_our_own_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "https://" not in page.split("<body")[1]
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- Speed -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [AGREEMENTS, MILESTONES, f"{AGREEMENTS}AGR-2025-0001/"])
def test_query_counts_do_not_grow_with_rows(client, records, url):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in context.captured_queries]

    few = queries()
    for n in range(12):
        agreement = AgreementFactory()
        PartyFactory(agreement=agreement)
        PartyFactory(agreement=records["public"], agency=AgencyFactory())
        MilestoneFactory(agreement=agreement)
        MilestoneFactory(agreement=records["public"])
        DocumentFactory(agreement=records["public"], file=b"%PDF-1.7 " + str(n).encode())
    many = queries()
    assert len(many) == len(few)
    # No count of the whole table (the one count is the cache's own, of its rows).
    assert not any("COUNT(" in sql.upper() and "accords_cache" not in sql for sql in many)


# --- Open data -------------------------------------------------------------------------


def test_open_data_holds_every_public_record_and_nothing_else(client, records, tmp_path):
    import json

    import jsonschema

    out = io.StringIO()
    call_command("export_open_data", "-o", str(tmp_path), stdout=out)
    assert "Wrote" in out.getvalue()
    lines = {
        name: [json.loads(line) for line in (tmp_path / name).read_text("utf-8").splitlines()]
        for name in ("agreements.jsonl", "milestones.jsonl", "agencies.jsonl", "areas.jsonl")
    }
    assert [a["reference"] for a in lines["agreements.jsonl"]] == ["AGR-2025-0001"]
    assert [m["title"]["en"] for m in lines["milestones.jsonl"]] == ["Testing platform study"]
    everything_written = (tmp_path / "agreements.jsonl").read_text("utf-8")
    for secret in ("Secret", "Internal only step", "Negotiation memo", "ana@madrid.example"):
        assert secret not in everything_written + str(lines["milestones.jsonl"])
    # The same field names as the API's.
    api = client.get(f"{AGREEMENTS}AGR-2025-0001/").json()
    assert list(lines["agreements.jsonl"][0]) == list(api)
    # Every line is valid under the published JSON Schema.
    schema = json.loads((tmp_path / "schema.json").read_text("utf-8"))
    for name, reference in schema["x-files"].items():
        validator = jsonschema.Draft202012Validator({"$ref": reference, "$defs": schema["$defs"]})
        for line in lines[name]:
            validator.validate(line)
    index = json.loads((tmp_path / "index.json").read_text("utf-8"))
    assert index["files"]["agreements.jsonl"]["records"] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".open-data-")]


def test_the_footer_offers_the_open_data_the_command_wrote(client, records, media_root):
    page = client.get("/en/open-data/").content.decode()
    assert "The files have not been published yet." in page
    assert 'href="/en/open-data/"' in client.get("/en/").content.decode()
    call_command("export_open_data", stdout=io.StringIO())
    page = client.get("/en/open-data/").content.decode()
    assert 'href="/open-data/agreements.jsonl"' in page
    response = client.get("/open-data/agreements.jsonl")
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert b"AGR-2025-0001" in b"".join(response.streaming_content)
    assert client.get("/open-data/settings.py").status_code == 404
    assert client.get("/open-data/..%2Fdb.sqlite3").status_code == 404
