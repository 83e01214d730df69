"""Search that finds what people type: every word, in any field and any of the four
languages, whatever its case, accents or word form.

Each agreement, agency and milestone keeps a *search document*: all its words and
those of the records around it (an agreement's parties, signatories, areas,
milestones and documents), in every language it is recorded in, folded to lower
case without accents (`fold`). A query is split into words, phrases, exclusions
and alternatives (`parse`); each word is reduced to its stem (English, Spanish or
Russian, by the Snowball stemmers PostgreSQL itself uses) and must begin a word
of the document. The same rule runs on both databases, so they give the same
results; on PostgreSQL a trigram GIN index on the document serves it, and the
same trigrams suggest a correction for a mistyped word.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.db import connections, router, transaction
from django.db.models import Case, Func, IntegerField, Q, TextField, Value, When
from django.db.models.lookups import Contains

# Words of this length or more get a suggestion when they find nothing (typos).
TYPO_MIN_LENGTH = 5


def fold(text: str) -> str:
    """Lower case, without accents or punctuation, words separated by single spaces,
    with a space at both ends so that " word" marks the start of a word."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.findall(r"\w+", letters.casefold())
    return f" {' '.join(words)} " if words else " "


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def stem(word: str, *, accented: bool = False) -> str:
    """The stem a folded word must begin with: "signing" → "sign", "agreements" →
    "agreement", "ministries" → "ministr", "мадрида" → "мадрид", "regulación" →
    "regul". The Spanish stemmer only for words typed with Spanish letters (it
    over-cuts English ones: "fifteen" → "fift"); Kazakh words are kept whole."""
    if len(word) < 4 or word.isdigit():
        return word
    if re.fullmatch(r"[a-z0-9]+", word):
        stems = [_stemmer("english").stemWord(word)]
        if accented:
            stems.append(_stemmer("spanish").stemWord(word))
        # English stems turn a final y into i ("ministry" → "ministri"): drop it, so
        # that the stem begins both "ministry" and "ministries".
        stems = [s[:-1] if s.endswith("i") else s for s in stems]
    elif re.fullmatch(r"[а-яё0-9]+", word):
        stems = [_stemmer("russian").stemWord(word)]
    else:
        return word
    # Never cut a word below four letters: "data" must not become "dat".
    usable = [s for s in stems if len(s) >= 4 and word.startswith(s)]
    return min(usable, key=len, default=word)


@dataclass
class Query:
    """A parsed query: alternatives (`or`), each a list of required terms and of
    excluded ones. A term is folded text that must begin a word of the document."""

    alternatives: list[tuple[list[str], list[str]]] = field(default_factory=list)

    def __bool__(self):
        return bool(self.alternatives)

    @property
    def words(self) -> list[str]:
        """Every required term, for highlighting and ranking."""
        return [term for required, _excluded in self.alternatives for term in required]


# A phrase (possibly excluded: -"…") or a word.
TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
# "or" between two alternatives, as each of our languages says it.
ALTERNATIVE = {"or", "o", "или", "немесе"}


def parse(text: str) -> Query:
    """`"exact phrase"`, `-word` to exclude, `or` between alternatives, as in web
    search engines. Anything malformed (an unbalanced quote, a lone `-`) is read
    as plain words, never as an error."""
    text = (text or "").replace("\x00", " ")
    for mark in "“”„«»":  # the quotation marks our four languages type
        text = text.replace(mark, '"')
    if text.count('"') % 2:
        text = text.replace('"', " ")
    groups: list[list[tuple[str, bool, bool]]] = [[]]
    for minus, phrase, word in TOKEN.findall(text):
        if phrase:
            groups[-1].append((phrase, True, bool(minus)))
        elif word.casefold() in ALTERNATIVE:
            groups.append([])
        elif word.startswith("-") and len(word) > 1:
            groups[-1].append((word[1:], False, True))
        else:
            groups[-1].append((word, False, False))
    query = Query()
    for group in groups:
        required, excluded = [], []
        for raw, is_phrase, is_excluded in group:
            folded = fold(raw).strip()
            if not folded:
                continue
            if is_phrase:  # whole words, in this order: " digital bridge "
                terms = [f"{folded} "]
            else:  # each word by its stem: " sign" begins "signed" and "signing"
                accented = any(not c.isascii() and "LATIN" in unicodedata.name(c, "") for c in raw)
                terms = [stem(word, accented=accented) for word in folded.split()]
            (excluded if is_excluded else required).extend(terms)
        if required or excluded:  # "-word" alone: everything but the records with it
            query.alternatives.append((required, excluded))
    return query


SEARCH_COLUMNS = ("search_title", "search_document")


def without_documents(queryset):
    """`queryset` without loading the search columns, of its model or of the models it
    selects along (a party's agreement): a record's every word in four languages,
    kilobytes a row, that a list never shows and that made the admin's lists slow."""
    models = [("", queryset.model)]

    def walk(model, tree, prefix):
        for name, subtree in tree.items():
            related = model._meta.get_field(name).related_model
            models.append((f"{prefix}{name}__", related))
            walk(related, subtree, f"{prefix}{name}__")

    if isinstance(queryset.query.select_related, dict):
        walk(queryset.model, queryset.query.select_related, "")
    deferred = [
        f"{prefix}{column}"
        for prefix, model in models
        if hasattr(model, "search_document")
        for column in SEARCH_COLUMNS
    ]
    return queryset.defer(*deferred) if deferred else queryset


def SearchColumns():  # noqa: N802 - used like a field class in a model's body
    """A model's two search columns: the words of its title (which rank first) and
    every word; kept by this module, never edited, never in the audit history."""
    from django.db import models

    return (
        models.TextField(editable=False, default="", db_default=""),
        models.TextField(editable=False, default="", db_default=""),
    )


def matching(queryset, text: str):
    """The rows of `queryset` that the query `text` finds; all of them when it has
    no word to look for."""
    query = parse(text)
    if not query:
        return queryset
    return queryset.filter(condition(query, checked_row_by_row=common_terms(queryset, query)))


def with_relevance(queryset, text: str):
    """Annotate `relevance` (see `relevance`) for ordering the best matches first."""
    return queryset.annotate(relevance=relevance(parse(text)))


class BestMatches:
    """The first `among` rows of a search (a queryset of matches annotated with
    their `relevance`) in a list's own `order`, best first (a stable sort by
    relevance keeps that order among equals), as a sequence a paginator can page
    through.

    One query reads the ids and relevance of the first `among` + 1 matches, which
    PostgreSQL takes from an index and stops: ranking every match of a common word
    (44,000 of 100,000 agreements) took half a second. A page's rows are then read
    by id from `queryset`, with its prefetches. `more` says whether it cut.
    """

    ordered = True  # in best-first order, which the paginator checks

    def __init__(self, matches, *, among: int, order=None):
        # By default the model's own order, which is each list's (newest signed, soonest due).
        order = order or matches.model._meta.ordering
        rows = list(matches.order_by(*order).values_list("pk", "relevance")[: among + 1])
        self.more = len(rows) > among
        rows = sorted(rows[:among], key=lambda row: -row[1])
        self.ids = [pk for pk, _relevance in rows]
        self.queryset = matches
        self.model = matches.model

    def __len__(self):
        return len(self.ids)

    def count(self):
        return len(self.ids)

    def __getitem__(self, index):
        ids = self.ids[index] if isinstance(index, slice) else [self.ids[index]]
        page = without_documents(self.queryset.order_by().filter(pk__in=ids))
        rows = {row.pk: row for row in page}
        found = [rows[pk] for pk in ids if pk in rows]
        return found if isinstance(index, slice) else found[0]


def condition(query: Query, column: str = "search_document", *, checked_row_by_row=None) -> Q:
    """Rows whose document satisfies the query. The terms in `checked_row_by_row` (a
    set for each alternative, see common_terms) are not looked up in the index."""
    matched = Q(pk__in=[])
    for index, (required, excluded) in enumerate(query.alternatives):
        alternative = Q()
        for term in required:
            if checked_row_by_row and term in checked_row_by_row[index]:
                alternative &= Q(Contains(NotIndexed(column), f" {term}"))
            else:
                alternative &= Q(**{f"{column}__contains": f" {term}"})
        for term in excluded:
            alternative &= ~Q(**{f"{column}__contains": f" {term}"})
        matched |= alternative
    return matched


def mentioning(query: Query, column: str = "search_title") -> Q:
    """Rows whose `column` has any word of the query: what a snippet may quote."""
    mentioned = Q(pk__in=[])
    for word in {part for term in query.words for part in term.split()}:
        mentioned |= Q(**{f"{column}__contains": f" {word}"})
    return mentioned


class NotIndexed(Func):
    """The column as an expression no index serves: `("search_document" || '')`."""

    template = "(%(expressions)s || '')"
    output_field = TextField()


# A term that PostgreSQL expects to find this many times more often than the query's
# rarest term is checked on the rows the rarer ones found, not looked up in the index.
COMMONER = 10


def common_terms(queryset, query: Query) -> list[set[str]]:
    """For each alternative of a query, the terms too common to look up in the
    trigram index (never the alternative's rarest).

    PostgreSQL puts every term of a query into one index lookup, and the lookup of
    a word in every row ("synthetic milestone 0000042" over a million milestones)
    reads posting lists of a million entries: 50 ms, against 11 ms to look up the
    rare word and check the other two on the six rows it finds. Which terms are
    common, the planner's own statistics say (EXPLAIN, no rows are read); without
    a histogram of the documents its estimates only measure a word's length, and
    every term stays in the lookup.
    """
    common = [set() for _alternative in query.alternatives]
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or all(
        len(terms) < 2 for terms, _excluded in query.alternatives
    ):
        return common
    table = queryset.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(array_length(histogram_bounds::text::text[], 1), 0) FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s "
            "AND attname = 'search_document'",
            [table],
        )
        row = cursor.fetchone()
    if not row or row[0] < HISTOGRAM_USED:
        return common
    base = queryset.model._base_manager.using(queryset.db)
    estimates = {}
    for index, (terms, _excluded) in enumerate(query.alternatives):
        if len(terms) < 2:
            continue
        for term in terms:
            if term not in estimates:
                plan = base.filter(search_document__contains=f" {term}").explain(format="json")
                estimates[term] = json.loads(plan)[0]["Plan"]["Plan Rows"]
        rarest = min(estimates[term] for term in terms)
        common[index] = {term for term in terms if estimates[term] > COMMONER * max(rarest, 1)}
    return common


# PostgreSQL estimates a LIKE pattern from a column's histogram when it has this many
# entries (ANALYZE leaves out values wider than 1 kB); with fewer, partly by length.
HISTOGRAM_USED = 100


def relevance(query: Query, *, title_column: str = "search_title"):
    """How many of the query's terms begin a word of the reference or title: a match
    there outranks one only in a milestone or the summary."""
    terms = list(dict.fromkeys(query.words))
    if not terms:
        return Value(0, output_field=IntegerField())
    total = None
    for term in terms:
        hit = Case(
            When(**{f"{title_column}__contains": f" {term}"}, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        total = hit if total is None else total + hit
    return total


# ---------------------------------------------------------------------------
# Search documents: built from the records, kept current by the signals below.

BATCH = 500
# Between two texts of a document, so that a phrase never spans two fields
# ("Astana" then "Forum…"): "_" survives folding as a word of its own.
FIELD_BREAK = " _ "


def _languages() -> list[str]:
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES]


def _all_languages(record, *fields: str) -> list[str]:
    """A record's texts and every translation of them."""
    texts = []
    for name in fields:
        texts.append(getattr(record, name, "") or "")
        texts.extend(getattr(record, f"{name}_{code}", "") or "" for code in _languages())
    return texts


def _in_every_language(make_text) -> list[str]:
    from django.utils import translation

    texts = []
    for code in _languages():
        with translation.override(code):
            texts.append(str(make_text()))
    return texts


def _agency_texts(agency) -> list[str]:
    return [
        *_all_languages(agency, "name", "acronym", "jurisdiction"),
        *_in_every_language(lambda: agency.country.name),
    ]


def agreement_document(agreement) -> tuple[str, str]:
    """(title words, every word) of an agreement, its prefetched relations included."""
    title = [agreement.reference, *_all_languages(agreement, "title")]
    texts = [
        *_all_languages(agreement, "summary", "place_of_signing", "event"),
        *_in_every_language(agreement.get_kind_display),
        *_in_every_language(agreement.get_status_display),
    ]
    for party in agreement.parties.all():
        texts += _agency_texts(party.agency)
        if party.signatory:
            texts += [party.signatory.full_name, *_all_languages(party.signatory, "position")]
    for area in agreement.areas.all():
        texts += _all_languages(area, "name")
    for milestone in agreement.milestones.all():
        texts += _all_languages(milestone, "title")
    for document in agreement.documents.all():
        texts += _all_languages(document, "title")
    return fold(FIELD_BREAK.join(title)), fold(FIELD_BREAK.join(title + texts))


def agency_document(agency) -> tuple[str, str]:
    title = _all_languages(agency, "name", "acronym")
    texts = [*_agency_texts(agency), *_all_languages(agency, "description")]
    return fold(FIELD_BREAK.join(title)), fold(FIELD_BREAK.join(title + texts))


def milestone_document(milestone) -> tuple[str, str]:
    title = _all_languages(milestone, "title")
    agreement = milestone.agreement
    texts = [
        *_all_languages(milestone, "description"),
        agreement.reference,
        *_all_languages(agreement, "title"),
    ]
    return fold(FIELD_BREAK.join(title)), fold(FIELD_BREAK.join(title + texts))


def _refresh(queryset, build, ids, *, vocabulary=None) -> int:
    """Rebuild the documents of the rows `ids`, a batch at a time; only the two
    search columns are written, so an edit saved meanwhile is never overwritten.
    Words of the rows `vocabulary(row)` accepts join the vocabulary that typos are
    corrected from (public records only: a suggestion never reveals an internal one)."""
    ids = sorted(set(ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        rows, words = [], set()
        # No ordering: the default (milestones by due date) made PostgreSQL walk the
        # whole due-date index for each batch instead of fetching 500 rows by key.
        for row in queryset.filter(pk__in=ids[start : start + BATCH]).order_by():
            title, document = build(row)
            rows.append((row.pk, title, document))
            if vocabulary is None or vocabulary(row):
                words.update(w for w in document.split() if vocabulary_word(w))
        _write(queryset.model, rows)
        _add_to_vocabulary(words)
        done += len(rows)
    return done


def vocabulary_word(word: str) -> bool:
    """Only words of letters are corrected (see suggestion): numbers and codes, most
    of the words of a million records, never are."""
    return len(word) >= TYPO_MIN_LENGTH - 1 and word.isalpha()


def _add_to_vocabulary(words) -> None:
    if not words:
        return
    from agreements.models import SearchWord

    SearchWord.objects.bulk_create(
        [SearchWord(word=w[:100]) for w in sorted(words)], ignore_conflicts=True, batch_size=1000
    )


def _write(model, rows) -> None:
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)  # the model's own, not input
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch: a million milestones are rebuilt in minutes.
            from psycopg2.extras import execute_values

            execute_values(
                cursor.cursor,
                f"UPDATE {table} AS row SET search_title = new.title, "  # noqa: S608
                "search_document = new.document FROM (VALUES %s) AS new (id, title, document) "
                "WHERE row.id = new.id",
                rows,
                page_size=BATCH,
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET search_title = %s, search_document = %s WHERE id = %s",  # noqa: S608
                [(title, document, pk) for pk, title, document in rows],
            )


def refresh_agreements(ids) -> int:
    from django.db.models import Prefetch

    from agreements.models import Agreement, Party

    queryset = Agreement.objects.prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("agency", "signatory")),
        "areas",
        "milestones",
        "documents",
    )
    return _refresh(queryset, agreement_document, ids, vocabulary=_public_agreement)


def _public_agreement(agreement) -> bool:
    return agreement.visibility == agreement.Visibility.PUBLIC


def refresh_agencies(ids) -> int:
    from partners.models import Agency

    return _refresh(Agency.objects.all(), agency_document, ids)


def refresh_milestones(ids) -> int:
    from agreements.models import Milestone

    # Their titles are in their agreement's document, so in the vocabulary already.
    return _refresh(
        Milestone.objects.select_related("agreement"),
        milestone_document,
        ids,
        vocabulary=lambda milestone: False,
    )


def build_missing_documents(**kwargs) -> None:
    """After `migrate`: the documents of records saved before search existed (or
    loaded without signals). A document is never empty once built."""
    from agreements.models import Agreement, Milestone
    from partners.models import Agency

    for refresh, model in (
        (refresh_agreements, Agreement),
        (refresh_agencies, Agency),
        (refresh_milestones, Milestone),
    ):
        refresh(model.objects.filter(search_document="").order_by().values_list("pk", flat=True))


def refresh_all() -> dict[str, int]:
    """Every document (after a bulk load, or when the recipe above changes)."""
    from agreements.models import Agreement, Milestone
    from partners.models import Agency

    return {
        "agreements": refresh_agreements(Agreement.objects.order_by().values_list("pk", flat=True)),
        "agencies": refresh_agencies(Agency.objects.order_by().values_list("pk", flat=True)),
        "milestones": refresh_milestones(Milestone.objects.order_by().values_list("pk", flat=True)),
    }


# ---------------------------------------------------------------------------
# Keeping documents current: every save or delete through the ORM or the admin
# marks the documents that contain the changed words; they are rebuilt once, when
# the transaction commits, each with its row locked and from what is committed by
# then. Two editors saving milestones of one agreement at the same moment thus
# cannot leave its document with only one of the changes, an admin save with ten
# inline rows rebuilds it once, and the editing transaction never waits on a
# document row another editor holds (no deadlock). Outside a transaction (a
# shell, a script) the rebuild is immediate.

REFRESH = {
    "agreements": lambda ids: refresh_agreements(ids),
    "agencies": lambda ids: refresh_agencies(ids),
    "milestones": lambda ids: refresh_milestones(ids),
}


def rebuild(kind: str, ids, *, using: str = "default") -> None:
    """Rebuild these documents when the current transaction commits (now, outside one)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        _rebuild_locked({kind: ids}, using)
        return
    pending = _pending(connection, using)
    pending[kind] |= ids


def _pending(connection, using) -> dict[str, set]:
    """This transaction's marked documents (a rolled-back transaction's are dropped
    with the commit hook that would have rebuilt them)."""
    pending = getattr(connection, "_search_pending", None)
    hook = getattr(connection, "_search_hook", None)
    if pending is None or not any(
        func is hook for _sids, func, _robust in connection.run_on_commit
    ):
        pending = {kind: set() for kind in REFRESH}

        def hook():
            connection._search_pending = None
            _rebuild_locked(pending, using)

        connection._search_pending, connection._search_hook = pending, hook
        # robust: a failed rebuild is logged, never turned into an error for a save
        # that has already committed (`rebuild_search` repairs it).
        transaction.on_commit(hook, using=using, robust=True)
    return pending


def _rebuild_locked(pending: dict[str, set], using: str) -> None:
    from agreements.models import Agreement, Milestone
    from partners.models import Agency

    models = {"agreements": Agreement, "agencies": Agency, "milestones": Milestone}
    for kind, ids in pending.items():
        if not ids:
            continue
        with transaction.atomic(using=using):
            # In id order, so that two rebuilds never wait on each other in a circle.
            present = list(
                models[kind]
                .objects.using(using)
                .filter(pk__in=ids)
                .order_by("pk")
                .select_for_update()
                .values_list("pk", flat=True)
            )
            REFRESH[kind](present)


def _agreement_of(instance) -> set:
    """The agreement a party, milestone or document link belongs to, and the one it
    belonged to before this save (it may have been moved to another)."""
    return {instance.agreement_id, getattr(instance, "_search_previous_agreement", None)}


def _before_part_saved(sender, instance, **kwargs):
    if instance.pk and not kwargs.get("raw"):
        instance._search_previous_agreement = (
            sender.objects.filter(pk=instance.pk).values_list("agreement_id", flat=True).first()
        )


def _on_agreement(instance, **kwargs):
    if kwargs.get("raw"):  # loading a fixture: `rebuild_search` afterwards
        return
    rebuild("agreements", [instance.pk])
    if not kwargs.get("created"):  # a new agreement has no milestones yet
        # A milestone's document carries its agreement's reference and title.
        rebuild("milestones", instance.milestones.values_list("pk", flat=True))


def _on_agreement_part(instance, **kwargs):
    # A party, milestone or document link: its agreement's document lists it.
    if not kwargs.get("raw"):
        rebuild("agreements", _agreement_of(instance))


def _on_milestone_saved(instance, **kwargs):
    if not kwargs.get("raw"):
        rebuild("milestones", [instance.pk])
        rebuild("agreements", _agreement_of(instance))


def _on_agency(instance, **kwargs):
    if kwargs.get("raw"):
        return
    from agreements.models import Party

    rebuild("agencies", [instance.pk])
    rebuild(
        "agreements", Party.objects.filter(agency=instance).values_list("agreement_id", flat=True)
    )


def _on_representative(instance, **kwargs):
    if kwargs.get("raw"):
        return
    from agreements.models import Party

    rebuild(
        "agreements",
        Party.objects.filter(signatory=instance).values_list("agreement_id", flat=True),
    )


def _on_area(instance, **kwargs):
    if not kwargs.get("raw"):
        rebuild("agreements", instance.agreements.values_list("pk", flat=True))


def _before_area_deleted(instance, **kwargs):
    # Its links to agreements go with it, silently (no m2m signal): remember whose.
    instance._search_agreements = list(instance.agreements.values_list("pk", flat=True))


def _on_area_deleted(instance, **kwargs):
    rebuild("agreements", getattr(instance, "_search_agreements", ()))


def _on_areas_changed(instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # an area's agreements changed
        rebuild("agreements", pk_set or ())
    else:
        rebuild("agreements", [instance.pk])


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    from agreements.models import Agreement, CooperationArea, DocumentLink, Milestone, Party
    from partners.models import Agency, Representative

    uid = "search-documents"
    post_save.connect(_on_agreement, sender=Agreement, dispatch_uid=f"{uid}-agreement")
    for model in (Party, DocumentLink, Milestone):
        pre_save.connect(_before_part_saved, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
        post_delete.connect(
            _on_agreement_part, sender=model, dispatch_uid=f"{uid}-{model.__name__}"
        )
    for model in (Party, DocumentLink):
        post_save.connect(_on_agreement_part, sender=model, dispatch_uid=f"{uid}-{model.__name__}")
    post_save.connect(_on_milestone_saved, sender=Milestone, dispatch_uid=f"{uid}-milestone")
    post_save.connect(_on_agency, sender=Agency, dispatch_uid=f"{uid}-agency")
    post_save.connect(_on_representative, sender=Representative, dispatch_uid=f"{uid}-person")
    post_save.connect(_on_area, sender=CooperationArea, dispatch_uid=f"{uid}-area")
    pre_delete.connect(_before_area_deleted, sender=CooperationArea, dispatch_uid=f"{uid}-area")
    post_delete.connect(_on_area_deleted, sender=CooperationArea, dispatch_uid=f"{uid}-area")
    m2m_changed.connect(_on_areas_changed, sender=Agreement.areas.through, dispatch_uid=uid)


# ---------------------------------------------------------------------------
# Snippets: a few words around the first match, the matched words in <mark>.

SNIPPET_WORDS = 24
WORD = re.compile(r"\w+")


def _matches(word: str, terms: list[str]) -> bool:
    folded = fold(word).strip()
    return any(folded.startswith(term) for term in terms)


def snippet(texts, query: Query, *, words: int = SNIPPET_WORDS) -> str:
    """HTML: the first of `texts` with a matched word, cut to about `words` words
    around it, every matched word in <mark>. Everything else is escaped: a record's
    text can never bring its own markup in through the highlighter."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    terms = sorted({part for term in query.words for part in term.split()}, key=len)
    if not terms:
        return ""
    for text in texts:
        # Most texts hold no match: one fold of the whole text says so.
        folded = fold(text)
        if not any(f" {term}" in folded for term in terms):
            continue
        spans = [m for m in WORD.finditer(text) if _matches(m.group(), terms)]
        if not spans:
            continue
        all_words = list(WORD.finditer(text))
        first = next(i for i, m in enumerate(all_words) if m.start() == spans[0].start())
        start_word = max(first - words // 3, 0)
        end_word = min(start_word + words, len(all_words))
        start = all_words[start_word].start() if start_word else 0
        end = all_words[end_word - 1].end() if end_word < len(all_words) else len(text)
        html, position = [], start
        for match in spans:
            if match.start() < start or match.end() > end:
                continue
            html.append(escape(text[position : match.start()]))
            html.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
        html.append(escape(text[position:end]))
        prefix = "… " if start else ""
        suffix = " …" if end < len(text) else ""
        return mark_safe(prefix + "".join(html).strip() + suffix)  # noqa: S308 - escaped above
    return ""


# ---------------------------------------------------------------------------
# Typos (PostgreSQL): when a query finds nothing, each long word that begins no
# known word is replaced by the closest word of the vocabulary (trigram
# similarity), and the corrected query is offered if it finds something.

SIMILARITY = 0.3


def suggestion(text: str, queryset) -> str | None:
    """A corrected query that finds rows of `queryset`, when `text` finds none."""
    from django.db import connections

    if connections[queryset.db].vendor != "postgresql" or not parse(text):
        return None
    if matching(queryset, text).exists():
        return None
    from django.contrib.postgres.search import TrigramSimilarity

    from agreements.models import SearchWord

    tokens, changed = text.split(), False
    for index, token in enumerate(tokens):
        word = fold(token).strip()
        if len(word) < TYPO_MIN_LENGTH or " " in word or not word.isalpha():
            continue
        # A word that finds something on its own is no typo, even one the vocabulary
        # lacks (it holds words of letters only; a record may say "horizon2020").
        if matching(queryset, word).exists():
            continue
        closest = (
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .filter(similarity__gte=SIMILARITY)
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
        # Only a word that a record this visitor may see contains: the vocabulary
        # can hold words of records made internal since, which must never show.
        if closest and matching(queryset, closest).exists():
            prefix = "-" if token.startswith("-") else ""
            tokens[index], changed = prefix + closest, True
    corrected = " ".join(tokens)
    if changed and matching(queryset, corrected).exists():
        return corrected
    return None
