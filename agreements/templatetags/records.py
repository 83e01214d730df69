"""Show a record's text in the page's language, marking the original where there is
no translation: `{% translated agreement "title" %}`, `{% translated_prose agreement
"summary" %}`, and `{{ agreement|text:"title" }}` where no markup may go (<title>)."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language

from agreements.search import snippet

register = template.Library()


@register.filter
def text(record, field: str):
    """The plain text in the page's language (translation, else original)."""
    return record.text(field) if record else ""


def _note(shown) -> str:
    return format_html(' <small class="language-note">({})</small>', shown.note)


@register.simple_tag
def translated(record, field: str):
    shown = record.text(field)
    if not shown.is_fallback:
        return shown  # escaped by the template like any other text
    return format_html('<span lang="{}">{}</span>{}', shown.language, shown, _note(shown))


@register.simple_tag
def translated_prose(record, field: str, css_class: str = "prose"):
    """A multi-paragraph text as paragraphs, in its own language's `lang` when it is
    the original shown in place of a missing translation."""
    shown = record.text(field)
    paragraphs = linebreaks_filter(shown, autoescape=True)
    if not shown.is_fallback:
        return format_html('<div class="{}">{}</div>', css_class, paragraphs)
    return format_html(
        '<div class="{}" lang="{}">{}</div><p class="language-note">({})</p>',
        css_class,
        shown.language,
        paragraphs,
        shown.note,
    )


@register.filter
def long_date(value):
    """A date in prose, as the page's language writes it (config/formats)."""
    if not value:
        return ""
    text = date_format(value, "DATE_FORMAT")
    # Kazakh writes month names in lower case; Django's catalogue capitalises them.
    return text.lower() if get_language() == "kk" else text


# What a search result's snippet may quote, in the page's language.
SNIPPET_FIELDS = {
    "agreement": ("summary", "place_of_signing", "event"),
    "agency": ("description", "jurisdiction"),
    "milestone": ("description",),
}


@register.simple_tag
def search_snippet(record, query):
    """A few words of the record around the first word searched for, highlighted."""
    if not query:
        return ""
    texts = [record.text(f) for f in SNIPPET_FIELDS.get(record._meta.model_name, ())]
    # What the list prefetched: its parties, and the milestones with a searched word.
    texts.extend(row.text("title") for row in getattr(record, "milestones_mentioning", ()))
    prefetched = getattr(record, "_prefetched_objects_cache", {})
    texts.extend(str(party.agency) for party in prefetched.get("parties", ()))
    if record._meta.model_name == "milestone":
        texts.append(record.agreement.text("title"))
    return snippet(texts, query)


@register.simple_tag(takes_context=True)
def sortable_heading(context, label, order):
    """A column heading that sorts the list by `order` (a sort menu parameter): a
    link that sorts ascending, or reverses the order the list is in, with aria-sort
    saying which order that is (the list's default order included)."""
    request, filterset = context["request"], context.get("filter")
    chosen = request.GET.get("sort", "")
    if not chosen and filterset is not None and not context.get("search_query"):
        chosen = getattr(filterset, "default_order", "")
    current = chosen.lstrip("-") == order
    descending = chosen.startswith("-")
    query = request.GET.copy()
    query["sort"] = f"-{order}" if current and not descending else order
    query.pop("page", None)
    sort = ""
    if current:
        sort = format_html(' aria-sort="{}"', "descending" if descending else "ascending")
    link = format_html('<a href="?{}">{}</a>', query.urlencode(), label)
    return format_html('<th scope="col"{}>{}</th>', sort, link)
