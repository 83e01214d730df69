"""Compile every locale/**/*.po into its .mo, in pure Python (polib): `make run` needs
no gettext tools, and a .mo can never be older than its .po because it is never
committed, only built (Makefile: on every run, test and serve; a few milliseconds)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("**/LC_MESSAGES/*.po")):
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
