"""Spreadsheet import in the admin: preview with every error, all or nothing, round
trip, dates and headings as people write them, hostile files, permissions."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from agreements.imports import AgreementResource, GuardedCSV
from agreements.models import Agreement, Milestone, Party
from partners.models import Agency
from tests.factories import AgencyFactory, AgreementFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db
AGREEMENT_IMPORT = reverse("admin:agreements_agreement_import")
MILESTONE_IMPORT = reverse("admin:agreements_milestone_import")
HEADER = (
    "reference,title,kind,status,visibility,signed_on,entry_into_force,expires_on,parties,areas"
)


@pytest.fixture
def agencies(db):
    nitec = AgencyFactory(slug="nitec", name="National Information Technologies", country="KZ")
    madrid = AgencyFactory(slug="madrid-digital", name="Ministry of Digitalization", country="ES")
    RepresentativeFactory(agency=nitec, full_name="Daulet Bekmanov")
    return nitec, madrid


def csv_file(text: str, name="agreements.csv", bom=False) -> SimpleUploadedFile:
    data = text.encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data)


def preview(client, url, upload, file_format="0"):
    return client.post(url, {"import_file": upload, "format": file_format})


def confirm(client, url, page):
    """Post the preview's confirm form as the browser would."""
    html = page.content.decode()
    fields = dict(re.findall(r'name="(import_file_name|original_file_name|format|resource)"'
                             r'\s+value="([^"]*)"', html))  # fmt: skip
    if not fields:
        fields = {
            name: value
            for value, name in re.findall(
                r'value="([^"]*)"[^>]*name="(import_file_name|original_file_name|format|resource)"',
                html,
            )
        }
    return client.post(url.replace("import/", "process_import/"), fields)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- Preview and all or nothing ----------------------------------------------------------


def test_the_preview_names_every_error_with_its_row_and_writes_nothing(editor_client, agencies):
    text = "\n".join([
        HEADER,
        "AGR-2025-0101,Good one,mou,signed,public,03.10.2025,,,nitec (Daulet Bekmanov),ict",
        "AGR-2025-0102,Unknown agency,mou,signed,public,2025-10-03,,,nowhere-agency,",
        "AGR-2025-0103,Bad date,mou,signed,public,31.02.2025,,,nitec,",
        "AGR-2025-0104,Expiry first,mou,signed,public,2025-10-03,2026-01-01,2025-12-31,nitec,",
        "AGR-2025-0105,Stranger signs,mou,signed,public,2025-10-03,,,nitec (Someone Else),",
        "AGR-2025-0106,Odd status,mou,finished,public,2025-10-03,,,nitec,",
    ])  # fmt: skip
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(text)).content.decode()
    for message in (
        "No agency with the slug “nowhere-agency”.",
        "“31.02.2025” is not a date: write 2025-10-03, 03.10.2025 or 03/10/2025.",
        "The expiry date cannot be before entry into force.",
        "“Someone Else” is not a representative of nitec.",
        "“finished” is not one of:",
    ):
        assert message in page, message
    rows = re.findall(r"<td>\s*(\d+)\s*</td>", page)
    assert {"2", "3", "4", "5", "6"} <= set(rows), rows  # each error under its row number
    assert "process_import" not in page  # no confirm button while anything is wrong
    assert not Agreement.objects.exists()


def test_a_repeated_reference_is_an_error_naming_both_rows(editor_client, agencies):
    text = (
        f"{HEADER}\nAGR-2025-0101,A,mou,signed,public,,,,,\nagr-2025-0101,B,mou,signed,public,,,,,"
    )
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(text)).content.decode()
    assert "Rows 1 and 2 are the same record (agr-2025-0101)." in page
    assert not Agreement.objects.exists()


def test_milestone_rules_are_checked_in_the_preview(editor_client, agencies):
    agreement = AgreementFactory(reference="AGR-2025-0001")
    Party.objects.create(agreement=agreement, agency=agencies[0])
    text = "\n".join([
        "agreement,title,responsible_agency,due_date,status,date_met",
        "AGR-2025-0001,Platform study,nitec,2026-03-01,scheduled,",
        "AGR-2025-0001,Met without a date,,2026-03-01,met,",
        "AGR-2025-0001,Led by a stranger,madrid-digital,2026-03-01,scheduled,",
        "AGR-1999-0001,Of no agreement,,2026-03-01,scheduled,",
    ])  # fmt: skip
    page = preview(editor_client, MILESTONE_IMPORT, csv_file(text, "m.csv")).content.decode()
    assert "A met milestone needs the date it was met." in page
    assert "The responsible agency must be one of the agreement&#x27;s parties." in page
    assert "No agreement with the reference “AGR-1999-0001”." in page
    assert not Milestone.objects.exists()


def test_a_clean_file_is_imported_whole_on_confirm(editor_client, agencies, editor):
    text = "\n".join([
        HEADER,
        "AGR-2025-0101,Memorandum on GovTech,mou,signed,public,03.10.2025,,,"
        "nitec (Daulet Bekmanov); madrid-digital,ict; govtech",
        "AGR-2025-0102,Letter on data,letter_of_intent,draft,internal,03/10/2025,,,nitec,",
    ])  # fmt: skip
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(text))
    assert not Agreement.objects.exists()  # the preview writes nothing
    response = confirm(editor_client, AGREEMENT_IMPORT, page)
    assert response.status_code == 302
    first = Agreement.objects.get(reference="AGR-2025-0101")
    assert first.signed_on.isoformat() == "2025-10-03"
    assert Agreement.objects.get(reference="AGR-2025-0102").signed_on.isoformat() == "2025-10-03"
    assert sorted(first.areas.values_list("slug", flat=True)) == ["govtech", "ict"]
    assert sorted(first.parties.values_list("agency__slug", flat=True)) == [
        "madrid-digital", "nitec",
    ]  # fmt: skip
    assert first.parties.get(agency__slug="nitec").signatory.full_name == "Daulet Bekmanov"
    assert first.history.latest().history_user == editor


def test_a_row_that_fails_on_confirm_rolls_back_every_row(editor_client, agencies):
    text = (
        f"{HEADER}\nAGR-2025-0101,One,mou,signed,public,,,,nitec,"
        "\nAGR-2025-0102,Two,mou,signed,public,,,,madrid-digital,"
    )
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(text))
    assert "process_import" in page.content.decode()
    # Between the preview and the confirm, a colleague renames the second agency's slug.
    Agency.objects.filter(slug="madrid-digital").update(slug="madrid-ministry")
    response = confirm(editor_client, AGREEMENT_IMPORT, page)
    assert response.status_code == 302
    assert not Agreement.objects.exists()  # not even the first row
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Nothing was imported" in m for m in messages)


# --- Round trip, dates, headings ---------------------------------------------------------


def test_an_edited_export_changes_exactly_the_edited_field(editor_client, agencies, editor):
    kept = AgreementFactory(reference="AGR-2025-0001", title="Digital bridge", signed_on=None)
    AgreementFactory(reference="AGR-2025-0002", title="Other")
    Party.objects.create(agreement=kept, agency=agencies[0])
    exported = GuardedCSV().export_data(AgreementResource().export())
    edited = exported.replace("Digital bridge", "Digital bridge (amended)")
    versions_before = kept.history.count()
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(edited))
    html = page.content.decode()
    assert "process_import" in html, html[-3000:]
    assert confirm(editor_client, AGREEMENT_IMPORT, page).status_code == 302
    kept.refresh_from_db()
    assert kept.title == "Digital bridge (amended)"
    assert kept.history.count() == versions_before + 1
    latest = kept.history.latest()
    assert latest.history_user == editor
    changed = latest.diff_against(latest.prev_record).changed_fields
    assert changed == ["title"]
    assert Agreement.objects.get(reference="AGR-2025-0002").history.count() == 1  # untouched


@pytest.mark.parametrize(
    "header",
    [
        "referencia,título,tipo,estado,visibilidad,fecha de firma",
        "регистрационный номер,наименование,вид,статус,доступ,дата подписания",
        "тіркеу нөмірі,атауы,түрі,мәртебесі,қолжетімділік,қол қойылған күні",
    ],
)
def test_headings_may_be_in_any_of_the_four_languages(editor_client, agencies, header):
    from django.utils import translation

    from agreements.imports import header_aliases

    aliases = header_aliases(AgreementResource())
    names = [aliases.get(h.strip().lower()) for h in header.split(",")]
    if None in names:  # the catalogue's own words for these columns
        with translation.override({"referencia": "es", "регистрационный номер": "ru"}.get(
                header.split(",")[0], "kk")):  # fmt: skip
            from agreements.models import Agreement as A

            header = ",".join(
                str(A._meta.get_field(f).verbose_name)
                for f in ["reference", "title", "kind", "status", "visibility", "signed_on"]
            )
    text = f"{header}\nAGR-2025-0101,Memorando,Memorando de entendimiento,signed,public,03.10.2025"
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(text, bom=True))
    assert confirm(editor_client, AGREEMENT_IMPORT, page).status_code == 302
    agreement = Agreement.objects.get(reference="AGR-2025-0101")
    assert agreement.kind == "mou"
    assert agreement.signed_on.isoformat() == "2025-10-03"


def test_an_excel_workbook_imports_and_formulas_never_run(editor_client, agencies):
    book = Workbook()
    sheet = book.active
    sheet.append(["reference", "title", "kind", "status", "visibility", "signed_on"])
    sheet.append(["AGR-2025-0101", "Memorandum", "mou", "signed", "public", "03.10.2025"])
    # A formula is never evaluated: the cell counts as the value the spreadsheet last
    # computed, and this one, written by a program, has none.
    sheet.append(["AGR-2025-0102", '=HYPERLINK("http://x")', "mou", "signed", "public", None])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("agreements.xlsx", out.getvalue())
    page = preview(editor_client, AGREEMENT_IMPORT, upload, file_format="1").content.decode()
    assert "This field cannot be blank." in page
    assert "process_import" not in page
    assert not Agreement.objects.exists()
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("agreements.xlsx", out.getvalue())
    page = preview(editor_client, AGREEMENT_IMPORT, upload, file_format="1")
    assert confirm(editor_client, AGREEMENT_IMPORT, page).status_code == 302
    assert Agreement.objects.get().signed_on.isoformat() == "2025-10-03"


# --- Hostile files -----------------------------------------------------------------------


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (120 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "file_format", "message"),
    [
        ("bomb.xlsx", zip_bomb(), "1", "This workbook expands to more than"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "1",
         "This workbook is password-protected or in the old .xls format."),
        ("archive.xlsx", zipped_text := b"PK\x03\x04" + b"\0" * 100, "1",
         "This .xlsx file is damaged and cannot be read."),
        ("one-line.csv", b"reference," + b"x" * (70 * 1024), "0",
         "A line of this file is longer than"),
        ("huge.csv", b"reference\n" + b"x\n" * (6 * 1024 * 1024), "0",
         "This file is larger than"),
        ("latin1.csv", "reference,title\nAGR-1,Argüeso".encode("latin-1"), "0",
         "This file is not UTF-8 text."),
    ],
)  # fmt: skip
def test_hostile_files_get_a_clear_message(editor_client, name, data, file_format, message):
    response = preview(editor_client, AGREEMENT_IMPORT, SimpleUploadedFile(name, data), file_format)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Agreement.objects.exists()


def test_too_many_rows_are_refused_before_any_is_read(editor_client, settings, monkeypatch):
    monkeypatch.setattr(AgreementResource, "admin_max_rows", 100)

    def no_row_is_read(*args, **kwargs):
        raise AssertionError("a refused file's rows were read")

    monkeypatch.setattr(AgreementResource, "import_row", no_row_is_read)
    rows = "\n".join(f"AGR-2025-{n:04d},Title {n}" for n in range(1, 202))
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(f"reference,title\n{rows}"))
    assert (
        "This file has 201 rows; the admin imports at most 100 at a time. Split it, or ask an "
        "administrator to import it whole with the import_records command."
    ) in page.content.decode()
    assert not Agreement.objects.exists()


# --- Permissions and templates -----------------------------------------------------------


def test_viewers_cannot_import(client, viewer):
    client.force_login(viewer)
    assert client.get(AGREEMENT_IMPORT).status_code == 403
    text = f"{HEADER}\nAGR-2025-0101,One,mou,signed,public,,,,,"
    assert preview(client, AGREEMENT_IMPORT, csv_file(text)).status_code == 403
    assert not Agreement.objects.exists()


def test_the_import_page_offers_templates_with_every_column(editor_client):
    page = editor_client.get(AGREEMENT_IMPORT).content.decode()
    assert "nitec (Daulet Bekmanov); madrid-ministry-of-digitalization" in page
    url = reverse("admin:agreements_agreement_import_template", args=["csv"])
    assert url in page
    header = editor_client.get(url).content.decode().splitlines()[0]
    assert header.startswith("reference,title,kind,status,visibility,signed_on")
    workbook = editor_client.get(
        reverse("admin:agreements_agreement_import_template", args=["xlsx"])
    )
    assert load_workbook(io.BytesIO(workbook.content)).active["A1"].value == "reference"


def test_exports_from_the_admin_never_carry_a_formula(db):
    AgreementFactory(reference="AGR-2025-0001", title="=1+1")
    text = GuardedCSV().export_data(AgreementResource().export())
    assert ",'=1+1," in text


def test_only_staff_with_permission_reach_templates(client):
    client.force_login(UserFactory(username="clerk", is_staff=True))
    url = reverse("admin:agreements_agreement_import_template", args=["csv"])
    assert client.get(url).status_code == 403


def test_line_endings_alone_are_not_a_change(editor_client, agencies):
    agreement = AgreementFactory(reference="AGR-2025-0001", summary="First.\r\n\r\nSecond.")
    exported = GuardedCSV().export_data(AgreementResource().export())
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(exported.replace("\r\n\r\n", "\n\n")))
    confirm(editor_client, AGREEMENT_IMPORT, page)
    assert agreement.history.count() == 1  # skipped: nothing changed


def test_an_import_moves_the_cached_figures_on_once_not_per_row(editor_client, agencies):
    from agreements.dashboard import data_version

    rows = "\n".join(
        f"AGR-2025-{n:04d},Memorandum {n},mou,signed,public,,,,nitec,ict" for n in range(1, 11)
    )
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(f"{HEADER}\n{rows}"))
    before = data_version()
    assert confirm(editor_client, AGREEMENT_IMPORT, page).status_code == 302
    assert Agreement.objects.count() == 10
    assert data_version() == before + 1  # the home page's figures are recounted once


# --- Queries per row -----------------------------------------------------------------------


def milestone_file(references, rows):
    lines = ["agreement,title,responsible_agency,due_date,status"]
    lines += [
        f"{references[n % len(references)]},Step {n},nitec,15.0{1 + n % 9}.2026,scheduled"
        for n in range(rows)
    ]
    return csv_file("\n".join(lines), "milestones.csv")


@pytest.mark.search_at_commit  # as in production: not row by row, once at commit
def test_each_milestone_row_costs_the_same_few_queries(editor_client, agencies):
    """Agreements, agencies and the existing milestones a file names are looked up once
    per import, not once per row: 10,000 rows must not mean 130,000 queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    references = []
    for n in range(1, 9):
        agreement = AgreementFactory(reference=f"AGR-2025-{n:04d}")
        Party.objects.create(agreement=agreement, agency=agencies[0])
        references.append(agreement.reference)
    with CaptureQueriesContext(connection) as small:
        page = preview(editor_client, MILESTONE_IMPORT, milestone_file(references[:2], 10))
    assert "process_import" in page.content.decode()
    with CaptureQueriesContext(connection) as large:
        page = preview(editor_client, MILESTONE_IMPORT, milestone_file(references, 40))
    assert "process_import" in page.content.decode()
    # Per row: its savepoint and release, the check that the responsible agency is a
    # party, the row and its history. Per agreement named: its lookup.
    assert len(large) - len(small) <= 30 * 5 + 6 * 1

    confirm(editor_client, MILESTONE_IMPORT, page)
    assert Milestone.objects.count() == 40
    # The same file again, one date changed: matched by agreement and title, not added.
    upload = milestone_file(references, 40)
    text = upload.read().decode().replace("Step 7,nitec,15.08.2026", "Step 7,nitec,20.08.2026")
    page = preview(editor_client, MILESTONE_IMPORT, csv_file(text, "again.csv"))
    confirm(editor_client, MILESTONE_IMPORT, page)
    assert Milestone.objects.count() == 40
    assert Milestone.objects.get(title="Step 7").due_date.isoformat() == "2026-08-20"
    assert Milestone.objects.get(title="Step 7").history.count() == 2


@pytest.mark.search_at_commit
def test_each_agreement_row_costs_the_same_queries(editor_client, agencies):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def agreements(first, count):
        return csv_file("\n".join([HEADER] + [
            f"AGR-2025-{n:04d},Memorandum {n},mou,signed,public,03.10.2025,,,"
            f"nitec (Daulet Bekmanov); madrid-digital,ict; govtech"
            for n in range(first, first + count)
        ]))  # fmt: skip

    with CaptureQueriesContext(connection) as small:
        preview(editor_client, AGREEMENT_IMPORT, agreements(1, 5))
    with CaptureQueriesContext(connection) as large:
        page = preview(editor_client, AGREEMENT_IMPORT, agreements(101, 25))
    assert "process_import" in page.content.decode()
    # The agreement, its two parties and its areas, each with its history, the
    # reference and slug, and the preview's list of parties.
    assert len(large) - len(small) <= 20 * PER_AGREEMENT_ROW


PER_AGREEMENT_ROW = 26


def test_an_agency_named_twice_in_one_cell_is_an_error(editor_client, agencies):
    text = f"{HEADER}\nAGR-2025-0101,One,mou,signed,public,,,,nitec; madrid-digital; nitec,"
    page = preview(editor_client, AGREEMENT_IMPORT, csv_file(text)).content.decode()
    assert "nitec is named twice among the parties." in page
    assert not Agreement.objects.exists()


# --- From the command line -----------------------------------------------------------------


def run_import(*args):
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("import_records", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_past_the_admins_limit_and_names_the_user(
    agencies, tmp_path, monkeypatch, editor
):
    from agreements.imports import MilestoneResource

    monkeypatch.setattr(MilestoneResource, "admin_max_rows", 2)  # the admin's, not the command's
    agreement = AgreementFactory(reference="AGR-2025-0001")
    Party.objects.create(agreement=agreement, agency=agencies[0])
    path = tmp_path / "milestones.csv"
    path.write_bytes(milestone_file(["AGR-2025-0001"], 5).read())

    out, _err = run_import("milestones", str(path), "--dry-run")
    assert out.strip() == "New: 5; updated: 0; unchanged: 0. Checked only: nothing was written."
    assert not Milestone.objects.exists()

    out, _err = run_import("milestones", str(path), "--user", editor.username)
    assert out.strip() == "New: 5; updated: 0; unchanged: 0."
    assert Milestone.objects.count() == 5
    assert {m.history.get().history_user for m in Milestone.objects.all()} == {editor}


def test_the_command_lists_every_error_in_the_language_asked_and_writes_nothing(
    agencies, tmp_path
):
    from django.core.management import CommandError

    AgreementFactory(reference="AGR-2025-0001")
    path = tmp_path / "milestones.csv"
    path.write_text(
        "agreement,title,due_date,status,date_met\n"
        "AGR-2025-0001,Fine,2026-03-01,scheduled,\n"
        "AGR-2025-0001,Met undated,2026-03-01,met,\n"
        "AGR-1999-0001,Nowhere,2026-03-01,scheduled,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Nothing was imported: correct the file"):
        run_import("milestones", str(path))
    assert not Milestone.objects.exists()

    from django.core.management import call_command

    err = io.StringIO()
    with pytest.raises(CommandError, match="Ничего не импортировано"):
        call_command("import_records", "milestones", str(path), "--language", "ru", stderr=err)
    assert "Строка 2, date_met: Для выполненного этапа необходимо указать дату выполнения." in (
        err.getvalue()
    )
    assert "Строка 3, agreement: Соглашение с регистрационным номером «AGR-1999-0001»" in (
        err.getvalue()
    )


def test_the_command_refuses_a_hostile_file(tmp_path, db):
    from django.core.management import CommandError

    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(CommandError, match="password-protected"):
        run_import("agreements", str(path))
    with pytest.raises(CommandError, match="Give a .csv or .xlsx file."):
        run_import("agreements", str(tmp_path / "notes.txt"))

    ragged = tmp_path / "ragged.csv"
    ragged.write_text("reference,title\nAGR-2025-0001,A title, with a comma\n", encoding="utf-8")
    with pytest.raises(CommandError, match="a text with a comma in it needs quotation marks"):
        run_import("agreements", str(ragged))
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    with pytest.raises(CommandError, match="cannot be read as the format chosen"):
        run_import("agreements", str(damaged))


def test_a_row_matching_two_recorded_milestones_is_an_error_not_a_guess(editor_client, agencies):
    agreement = AgreementFactory(reference="AGR-2025-0001")
    Party.objects.create(agreement=agreement, agency=agencies[0])
    for due in ("2026-01-15", "2026-04-15"):  # nothing forbids two of the same title
        Milestone.objects.create(agreement=agreement, title="Quarterly report", due_date=due)
    text = "agreement,title,due_date\nAGR-2025-0001,Quarterly report,2026-07-15\n"
    page = preview(editor_client, MILESTONE_IMPORT, csv_file(text, "m.csv")).content.decode()
    assert "More than one recorded milestone matches this row." in page
    assert "process_import" not in page
    assert sorted(str(m.due_date) for m in Milestone.objects.all()) == ["2026-01-15", "2026-04-15"]
