"""The language menu and the `hreflang` alternates: this page in every other language."""

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def languages(request):
    """Template context: `languages`, one entry per language with this page's address in it."""
    current = get_language()
    here = request.get_full_path()
    entries = []
    for code, name in settings.LANGUAGES:  # each named in itself, as its speakers write it
        entries.append(
            {
                "code": code,
                "name": name,
                "url": translate_url(here, code),
                "current": code == current,
            }
        )
    return {"languages": entries}
