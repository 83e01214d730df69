"""What a file is, read from its bytes: the name and the browser's word are the
sender's claims, and a renamed program or a page of script is still one.

Detection is filetype's (signatures of the first bytes, and for zipped office
documents the parts inside). Accepted are the kinds agreements come in: PDF,
OpenDocument and Office Open XML documents, and PNG, JPEG and WebP images.
Anything it cannot name (HTML and SVG, which carry scripts, plain text, a
program) is refused.
"""

import hashlib
from dataclasses import dataclass

import filetype

ACCEPTED = {
    "application/pdf": ".pdf",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
}
# Browsers show these themselves; the rest is always a download.
VIEWABLE = {"application/pdf", "image/png", "image/jpeg", "image/webp"}
SIGNATURE_BYTES = 8192
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Reading:
    content_type: str | None  # None: not a kind we accept
    size: int
    sha256: str


def read(file) -> Reading:
    """The kind, size and SHA-256 of an uploaded (or stored) file, in one pass of
    bounded memory."""
    file.seek(0)
    head = file.read(SIGNATURE_BYTES)
    digest, size = hashlib.sha256(head), len(head)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    kind = filetype.guess(head) if head else None
    mime = kind.mime if kind else None
    return Reading(mime if mime in ACCEPTED else None, size, digest.hexdigest())


def sha256_of(chunks) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
