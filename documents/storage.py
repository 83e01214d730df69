"""Where the files live: the "documents" storage of settings.STORAGES, which is the
local file system by default and S3-compatible object storage when configured.

Stored names are random (the original name is kept as metadata only), so nothing
an uploader types ever becomes a path, and nobody can guess another file's name.
"""

import contextlib
import contextvars
import logging
import os
import uuid

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

logger = logging.getLogger(__name__)
CHUNK = 256 * 1024


class DocumentStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["documents"]


document_storage = DocumentStorage()


def get_document_storage():
    """The FileField's storage: a callable, so migrations name it instead of freezing
    one backend's settings into them."""
    return document_storage


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_ROOT"):
        document_storage._wrapped = empty


def stored_name(instance, filename: str) -> str:
    """A random name, in one of 256 folders so that no folder grows too large."""
    extension = os.path.splitext(filename)[1].lower()
    random = uuid.uuid4().hex
    return f"documents/{random[:2]}/{random}{extension}"


def is_object_storage(storage) -> bool:
    return hasattr(storage, "bucket")


def chunks(name: str, start: int = 0, length: int | None = None):
    """The stored file's bytes from `start`, `length` of them (all when None), a chunk
    at a time: object storage sends only the range asked for."""
    storage = document_storage
    if is_object_storage(storage):
        end = "" if length is None else start + length - 1
        # _normalize_name adds the configured location prefix, as the storage's own
        # open() does.
        key = storage._normalize_name(name)
        body = storage.bucket.Object(key).get(Range=f"bytes={start}-{end}")["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as file:
        file.seek(start)
        left = length
        while left is None or left > 0:
            chunk = file.read(CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk


# Files written during the current request or command, so that a save that fails
# after the file was stored (the database refused the row, the connection dropped)
# leaves no file behind. A process killed at that moment can still leave one:
# verify_documents --orphans finds those.
_stored = contextvars.ContextVar("documents_stored", default=None)


def note_stored(name: str) -> None:
    if (names := _stored.get()) is not None:
        names.append(name)


@contextlib.contextmanager
def removed_on_failure():
    token = _stored.set([])
    try:
        yield
    except BaseException:
        from .models import DocumentVersion

        names = _stored.get()
        # Only files whose row did not commit: a failure after the commit (a later
        # step of the request) must not take away files people now see listed.
        committed = set(
            DocumentVersion.objects.filter(file__in=names).values_list("file", flat=True)
        )
        for name in names:
            if name in committed:
                continue
            with contextlib.suppress(Exception):
                document_storage.delete(name)
                logger.info("Removed %s, stored by a save that failed", name)
        raise
    finally:
        _stored.reset(token)


def all_stored_names(storage=None, folder: str = "documents"):
    storage = storage or document_storage
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from all_stored_names(storage, f"{folder}/{sub}")
