"""Settings that cannot work together are refused at start-up, not at the first download."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .storage import document_storage, is_object_storage


@register()
def delivery_settings(app_configs=None, **kwargs):
    problems = []
    delivery = settings.ACCORDS_DOCUMENT_DELIVERY
    sendfile = settings.ACCORDS_DOCUMENT_SENDFILE
    if delivery not in ("stream", "redirect"):
        problems.append(
            Error(
                f"ACCORDS_DOCUMENT_DELIVERY is {delivery!r}: use stream or redirect.",
                id="documents.E001",
            )
        )
    if sendfile not in ("", "x-accel-redirect", "x-sendfile"):
        problems.append(
            Error(
                f"ACCORDS_DOCUMENT_SENDFILE is {sendfile!r}: use x-accel-redirect or x-sendfile.",
                id="documents.E002",
            )
        )
    object_storage = is_object_storage(document_storage)
    if sendfile and object_storage:
        problems.append(
            Error(
                "ACCORDS_DOCUMENT_SENDFILE hands the proxy a local file, but documents are "
                "kept in object storage (ACCORDS_S3_BUCKET).",
                hint="Unset it, or use ACCORDS_DOCUMENT_DELIVERY=redirect.",
                id="documents.E003",
            )
        )
    if delivery == "redirect" and not object_storage:
        problems.append(
            Warning(
                "ACCORDS_DOCUMENT_DELIVERY=redirect needs object storage; files are streamed.",
                id="documents.W001",
            )
        )
    return problems
