"""Uploaded documents: who may download what, what may be uploaded, versions and
their hashes, and no file left behind or lost."""

import hashlib
import io
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement
from documents.models import Document, DocumentVersion
from documents.uploads import SizeLimitUploadHandler
from tests.admin_forms import form_data
from tests.factories import (
    AgreementFactory,
    DocumentFactory,
    MilestoneFactory,
    UserFactory,
    add_file,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"0123456789" * 300 + b"\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x8a\xd5"
    b"\xb5\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "word/document.xml": b'<?xml version="1.0"?><document/>',
    }
)
PLAIN_ZIP = zipped({"notes.txt": b"not a document"})


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def admin_upload(client, agreement, data: bytes, name: str, **fields):
    """Add a document on the agreement's admin page, as an editor does: the page's own
    form, one new row in the documents inline, the file chosen, saved."""
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    posted = form_data(client.get(url).content.decode())
    index = int(posted["files-TOTAL_FORMS"][0])
    row = {
        "title": "Signed text",
        "kind": "signed_text",
        "language": "en",
        "visibility": "public",
        "dated_on": "2025-10-03",
        **fields,
    }
    for key, value in row.items():
        posted[f"files-{index}-{key}"] = [value]
    posted["files-TOTAL_FORMS"] = [str(index + 1)]
    posted[f"files-{index}-upload"] = SimpleUploadedFile(name, data)
    return client.post(url, posted)


@pytest.fixture
def public_agreement(db):
    return AgreementFactory(visibility=Agreement.Visibility.PUBLIC)


@pytest.fixture
def internal_agreement(db):
    return AgreementFactory(visibility=Agreement.Visibility.INTERNAL)


# --- Who may download what -------------------------------------------------------------


@pytest.fixture
def files(public_agreement, internal_agreement):
    public = DocumentFactory(agreement=public_agreement, visibility="public", file=PDF)
    add_file(public, PDF + b"second version")
    return {
        "public": public,
        "internal": DocumentFactory(agreement=public_agreement, visibility="internal", file=PNG),
        # Marked public, but its agreement is internal: hidden like the agreement.
        "public_on_internal": DocumentFactory(
            agreement=internal_agreement, visibility="public", file=DOCX
        ),
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (None, {"public"}),
        ("outsider", {"public"}),
        ("viewer", {"public", "internal", "public_on_internal"}),
        ("editor", {"public", "internal", "public_on_internal"}),
    ],
)
def test_each_download_is_checked_against_who_asks(client, files, who, allowed, viewer, editor):
    users = {"viewer": viewer, "editor": editor, "outsider": UserFactory(is_staff=False)}
    if who:
        client.force_login(users[who])
    for name, document in files.items():
        for route in ("documents:download", "documents:view"):
            response = client.get(reverse(route, args=[document.pk]))
            expected = 200 if name in allowed else 404  # 404: nothing says it exists
            assert response.status_code == expected, (who, name, route)
            if expected == 200:
                body = b"".join(response.streaming_content)
                assert hashlib.sha256(body).hexdigest() == document.current_version.sha256


@pytest.mark.parametrize("who", [None, "outsider"])
def test_earlier_versions_are_for_staff_only_even_of_a_public_document(client, files, who):
    if who:
        client.force_login(UserFactory(is_staff=False))
    public = files["public"]
    for number in (1, 2):
        url = reverse("documents:version_download", args=[public.pk, number])
        assert client.get(url).status_code == 404


def test_staff_download_every_version_with_its_own_bytes(client, files, viewer):
    client.force_login(viewer)
    public = files["public"]
    for version in public.versions.all():
        response = client.get(version.download_url)
        assert response.status_code == 200
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == version.sha256


def test_agreement_page_lists_only_the_files_the_visitor_may_download(client, files, viewer):
    page = client.get(files["public"].agreement.get_absolute_url()).content.decode()
    assert reverse("documents:download", args=[files["public"].pk]) in page
    assert reverse("documents:download", args=[files["internal"].pk]) not in page
    assert "Signed text, copy" in page
    client.force_login(viewer)
    page = client.get(files["public"].agreement.get_absolute_url()).content.decode()
    assert reverse("documents:download", args=[files["internal"].pk]) in page


def test_a_file_is_hidden_again_when_its_agreement_becomes_internal(client, files):
    agreement = files["public"].agreement
    Agreement.objects.filter(pk=agreement.pk).update(visibility=Agreement.Visibility.INTERNAL)
    assert client.get(reverse("documents:download", args=[files["public"].pk])).status_code == 404


def test_only_post_and_unknown_documents_get_no_file(client, files):
    assert client.post(reverse("documents:download", args=[files["public"].pk])).status_code == 405
    assert client.get(reverse("documents:download", args=[999999])).status_code == 404
    assert client.get("/documents/abc/download/").status_code == 404


# --- What a download looks like ------------------------------------------------------


def test_download_headers_name_the_file_intact_and_forbid_sniffing(client, public_agreement):
    document = DocumentFactory(agreement=public_agreement, file=False)
    add_file(document, PDF, name="Соглашение NITEC–Madrid.pdf")
    response = client.get(reverse("documents:download", args=[document.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%D0%A1%D0%BE%D0%B3%D0%BB%D0%B0%D1%88%D0%B5%D0%BD%D0%B8%D0%B5" in (
        disposition
    )
    assert "%E2%80%93Madrid.pdf" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Security-Policy"].startswith("sandbox;")


def test_inline_view_is_sandboxed_and_only_for_pdfs_and_images(client, public_agreement):
    pdf = DocumentFactory(agreement=public_agreement, file=PDF)
    docx = DocumentFactory(agreement=public_agreement, file=DOCX)
    response = client.get(reverse("documents:view", args=[pdf.pk]))
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"].startswith("sandbox")
    response = client.get(reverse("documents:view", args=[docx.pk]))
    assert response["Content-Disposition"].startswith("attachment;")


def test_range_requests_return_the_bytes_asked_for(client, public_agreement):
    document = DocumentFactory(agreement=public_agreement, file=PDF)
    url = reverse("documents:download", args=[document.pk])
    response = client.get(url, HTTP_RANGE="bytes=0-7")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == PDF[:8]
    assert response["Content-Range"] == f"bytes 0-7/{len(PDF)}"
    response = client.get(url, HTTP_RANGE="bytes=-6")
    assert b"".join(response.streaming_content) == PDF[-6:]
    response = client.get(url, HTTP_RANGE="bytes=100-")
    assert b"".join(response.streaming_content) == PDF[100:]
    response = client.get(url, HTTP_RANGE=f"bytes={len(PDF) + 10}-")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(PDF)}"
    # Nonsense, or a range of a version the client no longer has: the whole file.
    for headers in (
        {"HTTP_RANGE": "pages=1-2"},
        {"HTTP_RANGE": "bytes=0-1", "HTTP_IF_RANGE": '"old"'},
    ):
        response = client.get(url, **headers)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


def test_an_unchanged_file_is_not_sent_again(client, public_agreement):
    document = DocumentFactory(agreement=public_agreement, file=PDF)
    url = reverse("documents:download", args=[document.pk])
    etag = client.get(url)["ETag"]
    assert etag == f'"{hashlib.sha256(PDF).hexdigest()}"'
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_internal_files_are_never_kept_by_caches(client, files, viewer):
    client.force_login(viewer)
    response = client.get(reverse("documents:download", args=[files["internal"].pk]))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_reverse_proxy_gets_the_file_only_after_the_check(client, files, settings):
    settings.ACCORDS_DOCUMENT_SENDFILE = "x-accel-redirect"
    response = client.get(reverse("documents:download", args=[files["public"].pk]))
    name = files["public"].current_version.file.name
    assert response["X-Accel-Redirect"] == f"/protected-documents/{name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    refused = client.get(reverse("documents:download", args=[files["internal"].pk]))
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


# --- What may be uploaded --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF, "signed.pdf", "application/pdf"),
        (PDF, "renamed.exe", "application/pdf"),  # the content decides, not the name
        (PNG, "signing-ceremony.png", "image/png"),
        (
            DOCX,
            "annex.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_files_are_judged_by_their_content(
    client, editor, public_agreement, media_root, data, name, content_type
):
    client.force_login(editor)
    response = admin_upload(client, public_agreement, data, name)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = DocumentVersion.objects.get()
    assert version.content_type == content_type
    assert version.original_name == name
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.size == len(data)
    assert version.uploaded_by == editor
    assert version.number == 1
    # Stored under a random name of its own, not the one typed.
    assert name not in version.file.name
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE, "signed-agreement.pdf"),
        (SVG, "logo.svg"),
        (HTML, "minutes.pdf"),
        (PLAIN_ZIP, "annex.docx"),
        (b"Just some text", "notes.txt"),
    ],
)
def test_script_carriers_and_programs_are_refused_whatever_their_name(
    client, editor, public_agreement, media_root, data, name
):
    client.force_login(editor)
    response = admin_upload(client, public_agreement, data, name)
    assert response.status_code == 200
    assert "This kind of file cannot be kept here" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_an_empty_file_is_refused(client, editor, public_agreement, media_root):
    client.force_login(editor)
    response = admin_upload(client, public_agreement, b"", "empty.pdf")
    assert response.status_code == 200
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_limit_is_refused_with_the_limit_named(
    client, editor, public_agreement, media_root, settings
):
    settings.ACCORDS_DOCUMENT_MAX_BYTES = 2048
    client.force_login(editor)
    response = admin_upload(client, public_agreement, PDF, "big.pdf")
    assert response.status_code == 200
    assert "This file is larger than the limit of 2.0\xa0KB." in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_the_limit_stops_keeping_bytes_while_the_upload_streams(settings):
    settings.ACCORDS_DOCUMENT_MAX_BYTES = 100
    handler = SizeLimitUploadHandler()
    handler.new_file("file", "big.pdf", "application/pdf", 10_000)
    passed_on = [handler.receive_data_chunk(b"x" * 64, start) for start in range(0, 640, 64)]
    assert passed_on[0] == b"x" * 64
    assert passed_on[2:] == [None] * 8  # the handlers that write to disk get nothing more
    refused = handler.file_complete(640)
    assert refused.too_large


def test_names_with_paths_control_characters_or_300_letters_are_made_safe(
    client, editor, public_agreement
):
    client.force_login(editor)
    long_name = "Соглашение " + "а" * 300 + ".pdf"
    assert admin_upload(client, public_agreement, PDF, long_name).status_code == 302
    assert (
        admin_upload(
            client, public_agreement, PDF + b"2", "..\\..\\win\\evil\x07.pdf", title="B"
        ).status_code
        == 302
    )
    names = sorted(DocumentVersion.objects.values_list("original_name", flat=True), key=len)
    assert names[0] == "evil.pdf"
    assert len(names[1]) <= 255 and names[1].endswith(".pdf") and names[1].startswith("Соглашение")


def test_the_same_file_twice_on_one_agreement_is_refused(
    client, editor, public_agreement, media_root
):
    client.force_login(editor)
    assert admin_upload(client, public_agreement, PDF, "signed.pdf").status_code == 302
    response = admin_upload(client, public_agreement, PDF, "signed-again.pdf", title="Again")
    assert "This file is already kept with this agreement, as version 1 of “Signed text”." in (
        response.content.decode()
    )
    assert Document.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_a_public_file_on_an_internal_agreement_is_refused(client, editor, internal_agreement):
    client.force_login(editor)
    response = admin_upload(client, internal_agreement, PDF, "signed.pdf", visibility="public")
    assert "Only a public agreement&#x27;s documents can be public." in response.content.decode()
    assert not Document.objects.exists()


def test_a_milestone_of_another_agreement_cannot_be_chosen(client, editor, public_agreement):
    other = MilestoneFactory()
    client.force_login(editor)
    response = admin_upload(client, public_agreement, PDF, "a.pdf", milestone=str(other.pk))
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_a_document_cannot_be_added_without_its_file(client, editor, public_agreement):
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[public_agreement.pk])
    posted = form_data(client.get(url).content.decode())
    posted.update(
        {
            "files-TOTAL_FORMS": ["1"],
            "files-0-title": ["Signed text"],
            "files-0-kind": ["signed_text"],
            "files-0-visibility": ["internal"],
        }
    )
    response = client.post(url, posted)
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_an_interrupted_upload_stores_nothing(client, editor, public_agreement, media_root):
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[public_agreement.pk])
    boundary = "accordsboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files-0-upload"; '
        f'filename="signed.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + PDF[:500]  # the connection dropped here: no closing boundary
    response = client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code in (200, 400)
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_save_that_fails_after_the_file_was_stored_leaves_no_file(
    client, editor, public_agreement, media_root, monkeypatch
):
    def refuse(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(DocumentVersion, "save", refuse)
    client.raise_request_exception = False
    client.force_login(editor)
    response = admin_upload(client, public_agreement, PDF, "signed.pdf")
    assert response.status_code == 500
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


# --- Permissions and the audit trail ---------------------------------------------------


def test_viewers_cannot_upload(client, viewer, public_agreement, media_root):
    client.force_login(viewer)
    response = admin_upload(client, public_agreement, PDF, "signed.pdf")
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_new_version_keeps_the_old_one_and_is_in_the_audit_trail(
    client, editor, public_agreement
):
    client.force_login(editor)
    admin_upload(client, public_agreement, PDF, "signed.pdf")
    document = Document.objects.get()
    url = reverse("admin:agreements_agreement_change", args=[public_agreement.pk])
    posted = form_data(client.get(url).content.decode())
    posted["files-0-upload"] = SimpleUploadedFile("signed-corrected.pdf", PDF + b"corrected")
    assert client.post(url, posted).status_code == 302
    document.refresh_from_db()
    assert list(document.versions.values_list("number", "original_name")) == [
        (2, "signed-corrected.pdf"),
        (1, "signed.pdf"),
    ]
    assert document.current_version.number == 2
    page = client.get(reverse("admin:documents_document_change", args=[document.pk]))
    text = page.content.decode()
    assert hashlib.sha256(PDF).hexdigest() in text
    assert hashlib.sha256(PDF + b"corrected").hexdigest() in text
    trail = client.get(public_agreement.get_absolute_url()).content.decode()
    assert "Document: Signed text" in trail
    assert document.history.filter(history_user=editor).count() >= 2


def test_deleting_takes_the_delete_permission_and_is_recorded(
    client, public_agreement, media_root, django_capture_on_commit_callbacks
):
    document = DocumentFactory(agreement=public_agreement, file=PDF)
    url = reverse("admin:documents_document_delete", args=[document.pk])
    no_delete = UserFactory(username="clerk")
    no_delete.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_document", "change_document"])
    )
    client.force_login(no_delete)
    assert client.post(url, {"post": "yes"}).status_code == 403
    editor = UserFactory(username="editor2", groups=["Editors"])
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Document.objects.exists()
    deletion = Document.history.get(id=document.pk, history_type="-")
    assert deletion.history_user == editor
    assert stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_deleting_an_agreement_removes_its_files_after_the_commit(media_root):
    document = DocumentFactory(file=PDF)
    add_file(document, PDF + b"v2")
    assert len(stored_files(media_root)) == 2
    with transaction.atomic():
        document.agreement.delete()
        assert len(stored_files(media_root)) == 2  # still there until the deletion commits
    assert stored_files(media_root) == []

    kept = DocumentFactory(file=PDF)
    with pytest.raises(RuntimeError), transaction.atomic():
        kept.agreement.delete()
        raise RuntimeError("rolled back")
    assert Document.objects.filter(pk=kept.pk).exists()
    assert len(stored_files(media_root)) == 1


# --- Integrity -------------------------------------------------------------------------


def test_verify_documents_finds_altered_and_missing_files(public_agreement, media_root):
    altered = DocumentFactory(agreement=public_agreement, file=PDF)
    missing = DocumentFactory(agreement=public_agreement, file=PNG)
    healthy = DocumentFactory(agreement=public_agreement, file=DOCX)
    out = io.StringIO()
    call_command("verify_documents", stdout=out)
    assert "3 files checked, all intact" in out.getvalue()

    path = media_root / altered.current_version.file.name
    path.write_bytes(path.read_bytes().replace(b"Catalog", b"Catalag"))
    (media_root / missing.current_version.file.name).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_documents", stdout=out)
    report = out.getvalue()
    assert f"ALTERED {altered.current_version.file.name}" in report
    assert f"MISSING {missing.current_version.file.name}" in report
    assert healthy.current_version.file.name not in report
    assert "2 of 3" in str(failure.value)


def test_verify_documents_lists_and_removes_files_no_record_names(public_agreement, media_root):
    DocumentFactory(agreement=public_agreement, file=PDF)
    orphan = media_root / "documents" / "ab" / "abandoned.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PDF)
    out = io.StringIO()
    call_command("verify_documents", "--orphans", stdout=out)
    assert "ORPHAN documents/ab/abandoned.pdf" in out.getvalue()
    assert orphan.exists()
    call_command(
        "verify_documents", "--orphans", "--delete-orphans", "--older-than", "0", stdout=out
    )
    assert not orphan.exists()
    assert len(stored_files(media_root)) == 1


# --- Speed -----------------------------------------------------------------------------


def test_agreement_page_queries_do_not_grow_with_its_files(client, public_agreement, viewer):
    client.force_login(viewer)
    url = public_agreement.get_absolute_url()

    def queries_with(count):
        for n in range(Document.objects.count(), count):
            DocumentFactory(agreement=public_agreement, file=PDF + str(n).encode())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(3) == queries_with(30)


# --- Object storage (S3 API) -----------------------------------------------------------


def bucket_keys(bucket) -> list[str]:
    return sorted(item.key for item in bucket.objects.all())


def test_object_storage_upload_version_download_delete_verify(
    client, editor, viewer, public_agreement, s3_documents, media_root, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    client.force_login(editor)
    assert admin_upload(client, public_agreement, PDF, "Соглашение.pdf").status_code == 302
    document = Document.objects.get()
    url = reverse("admin:agreements_agreement_change", args=[public_agreement.pk])
    posted = form_data(client.get(url).content.decode())
    posted["files-0-upload"] = SimpleUploadedFile("corrected.pdf", PDF + b"corrected")
    assert client.post(url, posted).status_code == 302
    versions = list(document.versions.order_by("number"))
    assert bucket_keys(s3_documents) == sorted(f"accords/{v.file.name}" for v in versions)
    assert stored_files(media_root) == []  # nothing went to the local disk

    # Streamed through Django: the whole file, and a range read from the bucket.
    client.logout()
    download = reverse("documents:download", args=[document.pk])
    response = client.get(download)
    assert b"".join(response.streaming_content) == PDF + b"corrected"
    response = client.get(download, HTTP_RANGE="bytes=0-7")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == PDF[:8]

    # Redirected to a pre-signed address, only once the caller may have the file.
    settings.ACCORDS_DOCUMENT_DELIVERY = "redirect"
    response = client.get(download)
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    with urllib.request.urlopen(response["Location"]) as signed:  # noqa: S310 - local server
        assert signed.read() == PDF + b"corrected"
        assert signed.headers["Content-Disposition"] == 'attachment; filename="corrected.pdf"'
    old = reverse("documents:version_download", args=[document.pk, 1])
    assert client.get(old).status_code == 404
    client.force_login(viewer)
    with urllib.request.urlopen(client.get(old)["Location"]) as signed:  # noqa: S310
        assert signed.read() == PDF

    out = io.StringIO()
    call_command("verify_documents", stdout=out)
    assert "2 files checked, all intact" in out.getvalue()
    s3_documents.put_object(Key=f"accords/{versions[0].file.name}", Body=b"%PDF-1.7 forged")
    s3_documents.Object(f"accords/{versions[1].file.name}").delete()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_documents", stdout=out)
    assert f"ALTERED {versions[0].file.name}" in out.getvalue()
    assert f"MISSING {versions[1].file.name}" in out.getvalue()

    with django_capture_on_commit_callbacks(execute=True):
        public_agreement.delete()
    assert bucket_keys(s3_documents) == []


def test_object_storage_keeps_no_object_after_a_failed_save(
    client, editor, public_agreement, s3_documents, monkeypatch
):
    def refuse(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(DocumentVersion, "save", refuse)
    client.raise_request_exception = False
    client.force_login(editor)
    assert admin_upload(client, public_agreement, PDF, "signed.pdf").status_code == 500
    assert bucket_keys(s3_documents) == []


def test_the_demo_agreement_has_a_public_file_anyone_can_download(client, demo, media_root):
    call_command("load_demo", stdout=io.StringIO())  # a second run adds no file or version
    sheet = Document.objects.get(agreement=demo)
    assert sheet.versions.count() == 1
    assert len(stored_files(media_root)) == 1
    response = client.get(reverse("documents:download", args=[sheet.pk]))
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    assert b"NITEC" in body and b"GovTech testing platform" in body
    with translation.override("es"):
        page = client.get(demo.get_absolute_url()).content.decode()
    assert "Ficha del acuerdo NITEC – Comunidad de Madrid (elaborada por Accords)" in page


# --- Found in review -------------------------------------------------------------------


def test_a_file_chosen_for_a_row_stays_with_its_row_when_a_colleague_deleted_another(
    client, editor, public_agreement
):
    first, second, third = (
        DocumentFactory(agreement=public_agreement, title=title, file=PDF + title.encode())
        for title in ("A", "B", "C")
    )
    client.force_login(editor)
    url = reverse("admin:agreements_agreement_change", args=[public_agreement.pk])
    posted = form_data(client.get(url).content.decode())
    first.delete()  # a colleague, meanwhile
    posted["files-0-DELETE"] = ["on"]  # the editor deletes it too
    posted["files-1-upload"] = SimpleUploadedFile("B-v2.pdf", PDF + b"B, second version")
    assert client.post(url, posted).status_code == 302
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.current_version.original_name == "B-v2.pdf"
    assert third.versions.count() == 1


@pytest.mark.parametrize(
    ("name", "downloaded_as"),
    [
        ("minutes.hta", "minutes.pdf"),
        ("renamed.exe", "renamed.pdf"),
        ("no-extension", "no-extension.pdf"),
        ("signed.PDF", "signed.PDF"),
    ],
)
def test_a_file_downloads_under_the_extension_of_what_it_is(
    client, public_agreement, name, downloaded_as
):
    document = DocumentFactory(agreement=public_agreement, file=False)
    add_file(document, PDF, name=name)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{downloaded_as}"'


def test_the_trail_shows_documents_only_to_those_who_may_see_them(client, public_agreement):
    DocumentFactory(agreement=public_agreement, title="Negotiation memo", visibility="internal")
    reader = UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    client.force_login(reader)
    page = client.get(public_agreement.get_absolute_url()).content.decode()
    assert "Negotiation memo" not in page
    client.force_login(UserFactory(username="viewer2", groups=["Viewers"]))
    page = client.get(public_agreement.get_absolute_url()).content.decode()
    assert "Document: Negotiation memo" in page


@pytest.mark.parametrize(
    "header", ["bytes=0-" + "9" * 5000, "bytes=" + "9" * 5000 + "-", "bytes=-" + "9" * 5000]
)
def test_absurd_ranges_get_the_whole_file_not_an_error(client, public_agreement, header):
    document = DocumentFactory(agreement=public_agreement, file=PDF)
    response = client.get(reverse("documents:download", args=[document.pk]), HTTP_RANGE=header)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_reverting_a_document_keeps_its_current_file(client, editor, public_agreement):
    document = DocumentFactory(agreement=public_agreement, title="Signed text", file=PDF)
    add_file(document, PDF + b"corrected")
    Document.objects.get(pk=document.pk).save()  # an edit of the words
    first = document.history.order_by("history_id").first()
    client.force_login(editor)
    url = reverse("admin:documents_document_simple_history", args=[document.pk, first.history_id])
    assert client.post(url, form_data(client.get(url).content.decode())).status_code == 302
    document.refresh_from_db()
    assert document.current_version.number == 2


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "abc"])
def test_a_crafted_agreement_number_is_a_form_error(client, editor, value):
    client.force_login(editor)
    response = client.post(
        reverse("admin:documents_document_add"),
        {"agreement": value, "title": "x", "kind": "other", "visibility": "internal",
         "upload": SimpleUploadedFile("a.pdf", PDF)},
    )  # fmt: skip
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_out_of_range_ids_are_not_found(client, viewer):
    client.force_login(viewer)
    assert client.get("/documents/99999999999999999999999/versions/1/").status_code == 404
    assert client.get("/documents/99999999999999999999999/download/").status_code == 404


def test_a_file_missing_from_storage_is_not_found_not_half_sent(
    client, public_agreement, media_root
):
    document = DocumentFactory(agreement=public_agreement, file=PDF)
    (media_root / document.current_version.file.name).unlink()
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_a_failure_after_a_version_was_saved_keeps_that_version_s_file(
    public_agreement, media_root
):
    from documents.storage import removed_on_failure

    document = DocumentFactory(agreement=public_agreement, file=PDF)
    with pytest.raises(RuntimeError), removed_on_failure():
        add_file(document, PDF + b"v2")
        raise RuntimeError("a later step of the request failed")
    assert len(stored_files(media_root)) == 2  # both rows exist: both files stay


def test_impossible_delivery_settings_are_refused_at_start(settings, s3_documents):
    from documents.checks import delivery_settings

    settings.ACCORDS_DOCUMENT_SENDFILE = "x-accel-redirect"
    assert [problem.id for problem in delivery_settings()] == ["documents.E003"]
