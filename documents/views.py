from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from agreements.admin_base import could_be_key

from .delivery import file_response
from .models import Document, DocumentVersion, may_see_internal_documents


def _document(request, pk) -> Document:
    # Not found, never "forbidden": a caller who may not see a file learns nothing of it.
    return get_object_or_404(
        Document.objects.visible_to(request.user).with_file().select_related("agreement"), pk=pk
    )


@require_safe
def download(request, pk):
    document = _document(request, pk)
    return file_response(
        request, document.current_version, inline=False, private=not document.is_public
    )


@require_safe
def view(request, pk):
    """In the browser's own viewer, for PDFs and images; anything else downloads."""
    document = _document(request, pk)
    version = document.current_version
    return file_response(
        request, version, inline=version.is_viewable, private=not document.is_public
    )


@require_safe
def version_download(request, pk, number):
    """Earlier versions are for staff only, whatever the document's visibility."""
    if not may_see_internal_documents(request.user) or not could_be_key(Document._meta.pk, pk):
        raise Http404
    version = get_object_or_404(DocumentVersion, document__pk=pk, number=number)
    return file_response(request, version, inline=False, private=True)
