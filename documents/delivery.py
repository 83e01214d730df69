"""Sending an allowed file: streamed with Range support, handed to the reverse proxy,
or redirected to a short-lived pre-signed object-storage URL.

Django's FileResponse does not answer Range requests, which PDF viewers use to show
the first page of a large file before the rest arrives; the single-range case they
send is handled here (a multi-range request gets the whole file, as RFC 9110 allows).
"""

import logging
import re

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header, quote_etag

from .storage import chunks, document_storage, is_object_storage

logger = logging.getLogger(__name__)
# At most 18 digits: past that no file is that large, and Python refuses to read
# numbers of thousands of digits.
RANGE = re.compile(r"^bytes=([0-9]{0,18})-([0-9]{0,18})$", re.ASCII)
# Shown in the browser, the file may run nothing and reach nothing: a PDF or an
# image needs neither scripts nor forms nor other origins.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


def requested_range(header: str, size: int):
    """(start, length) for a satisfiable single range, None for the whole file, or
    False when the range lies wholly past the end (416)."""
    match = RANGE.match(header.replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = min(int(last), size)
        return (size - length, length) if length else False
    start = int(first)
    if start >= size:
        return False
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return start, end - start + 1


def file_response(request, version, *, inline: bool, private: bool):
    etag = quote_etag(version.sha256)
    disposition = content_disposition_header(not inline, version.download_name)
    if request.headers.get("If-None-Match") in (etag, f"W/{etag}"):
        response = HttpResponse(status=304)
    elif settings.ACCORDS_DOCUMENT_DELIVERY == "redirect" and is_object_storage(document_storage):
        response = HttpResponseRedirect(
            document_storage.url(
                version.file.name,
                parameters={
                    "ResponseContentDisposition": disposition,
                    "ResponseContentType": version.content_type,
                },
            )
        )
        # The signed address is the permission: it must not be kept by a cache.
        patch_cache_control(response, private=True, no_store=True)
        return response
    elif settings.ACCORDS_DOCUMENT_SENDFILE in ("x-accel-redirect", "x-sendfile"):
        response = HttpResponse(content_type=version.content_type)
        if settings.ACCORDS_DOCUMENT_SENDFILE == "x-accel-redirect":
            prefix = settings.ACCORDS_DOCUMENT_SENDFILE_PREFIX.rstrip("/")
            response["X-Accel-Redirect"] = f"{prefix}/{version.file.name}"
        else:
            response["X-Sendfile"] = document_storage.path(version.file.name)
    else:
        if not document_storage.exists(version.file.name):
            # Headers promise the file's length: say it is missing before sending any.
            logger.error("Document file missing from storage: %s", version.file.name)
            raise Http404
        response = streamed(request, version, etag)
    response["ETag"] = etag
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    # On every file, not only those shown inline: a browser that ignores the
    # attachment disposition still runs nothing.
    response["Content-Security-Policy"] = FILE_POLICY
    # Staff files are never kept by a shared cache; each caller's permission is checked.
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    if private:
        patch_cache_control(response, no_store=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def streamed(request, version, etag):
    size = version.size
    wanted = None
    if_range = request.headers.get("If-Range")
    if "Range" in request.headers and (if_range is None or if_range == etag):
        wanted = requested_range(request.headers["Range"], size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        response = StreamingHttpResponse(
            chunks(version.file.name), content_type=version.content_type
        )
        response["Content-Length"] = str(size)
    else:
        start, length = wanted
        response = StreamingHttpResponse(
            chunks(version.file.name, start, length),
            status=206,
            content_type=version.content_type,
        )
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response
