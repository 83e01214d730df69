from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Next/previous links carrying an opaque position: each page is one indexed
    range read, however deep, and no page counts the whole table."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"


class AgreementCursor(Cursor):
    ordering = "reference"


class SlugCursor(Cursor):
    ordering = "slug"
