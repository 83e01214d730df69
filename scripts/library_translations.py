"""Completes the libraries' translations where they fall short of our four languages.

Django's Kazakh admin is about two-thirds translated; django-simple-history and
django-axes have no Spanish or Kazakh at all. The missing strings live in
locale/libraries/<language>/LC_MESSAGES/django.po, which settings.LOCALE_PATHS
loads after the project's own catalogue.

    python scripts/library_translations.py --update   # add what a library upgrade added
    python scripts/library_translations.py --check    # exit 1 if anything is untranslated

Country names (django-countries) come from the Unicode CLDR through Babel,
the same data browsers and operating systems use, rather than being typed anew.
"""

import argparse
import glob
import os
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "locale" / "libraries"
LANGUAGES = ["es", "ru", "kk"]
# The catalogues whose strings our pages and our admin show.
LIBRARIES = [
    "django/conf",
    "django/contrib/admin",
    "django/contrib/auth",
    "django/contrib/contenttypes",
    "simple_history",
    "axes",
    "django_filters",
    "import_export",
    "rest_framework",
]
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<12 || n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || "
    "(n%100>=11 && n%100<=14)? 2 : 3);",
    "kk": "nplurals=2; plural=(n!=1);",
}


def site_packages() -> Path:
    import django

    return Path(django.__file__).resolve().parent.parent


def source_entries(locale_dir: Path) -> dict:
    """The library's msgids: its English catalogue, or every catalogue's where it has none."""
    english = locale_dir / "en" / "LC_MESSAGES" / "django.po"
    files = [english] if english.exists() else glob.glob(f"{locale_dir}/*/LC_MESSAGES/django.po")
    entries = {}
    for path in files:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                entries[(entry.msgctxt, entry.msgid)] = entry
    return entries


def translated(locale_dir: Path, language: str) -> set:
    found = set()
    for code in [language, f"{language}_{language.upper()}"]:
        path = locale_dir / code / "LC_MESSAGES" / "django.po"
        if path.exists():
            found |= {
                (e.msgctxt, e.msgid)
                for e in polib.pofile(str(path))
                if e.translated() and not e.obsolete
            }
    return found


def country_entries(language: str) -> list[polib.POEntry]:
    """django-countries' names the library lacks in `language`, translated from CLDR."""
    from babel import Locale
    from django_countries.data import COUNTRIES

    locale_dir = site_packages() / "django_countries" / "locale"
    have = translated(locale_dir, language)
    names = Locale.parse(language).territories
    entries = []
    for code, name in COUNTRIES.items():
        msgid = str(name)  # English: no language is active here
        if (None, msgid) not in have and code in names:
            entries.append(polib.POEntry(msgid=msgid, msgstr=names[code], tcomment=f"CLDR {code}"))
    return entries


def missing(language: str) -> list[polib.POEntry]:
    entries = []
    for library in LIBRARIES:
        locale_dir = site_packages() / library / "locale"
        have = translated(locale_dir, language)
        for key, entry in source_entries(locale_dir).items():
            if key not in have:
                new = polib.POEntry(
                    msgid=entry.msgid,
                    msgctxt=entry.msgctxt,
                    msgid_plural=entry.msgid_plural,
                    tcomment=f"{library}",
                )
                if entry.msgid_plural:
                    count = int(PLURAL_FORMS[language].split(";")[0].split("=")[1])
                    new.msgstr_plural = dict.fromkeys(range(count), "")
                entries.append(new)
    return entries


def catalogue_path(language: str) -> Path:
    return OUT / language / "LC_MESSAGES" / "django.po"


def update() -> None:
    for language in LANGUAGES:
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        po = polib.pofile(str(path)) if path.exists() else polib.POFile()
        po.metadata = {
            "Project-Id-Version": "Accords: completions of library catalogues",
            "Language": language,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": PLURAL_FORMS[language],
        }
        existing = {(e.msgctxt, e.msgid) for e in po}
        added = 0
        for entry in missing(language) + country_entries(language):
            if (entry.msgctxt, entry.msgid) not in existing:
                po.append(entry)
                existing.add((entry.msgctxt, entry.msgid))
                added += 1
        po.save(str(path))
        print(f"{language}: {added} added, {len(po.untranslated_entries())} untranslated")


def check() -> int:
    problems = 0
    for language in LANGUAGES:
        path = catalogue_path(language)
        po = polib.pofile(str(path)) if path.exists() else polib.POFile()
        done = {(e.msgctxt, e.msgid) for e in po.translated_entries() if "fuzzy" not in e.flags}
        for entry in missing(language) + country_entries(language):
            if (entry.msgctxt, entry.msgid) not in done:
                problems += 1
                print(f"{language}: untranslated library string {entry.msgid!r} ({entry.tcomment})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # settings only; nothing is served
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.update:
        update()
    if args.check:
        sys.exit(check())
