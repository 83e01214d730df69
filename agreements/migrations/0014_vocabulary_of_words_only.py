"""The typo vocabulary keeps words of letters only: numbers and codes (most of the
words of a large register) are never corrected, and made the lookup slower."""

from django.db import migrations


def drop_numbers_and_codes(apps, schema_editor):
    SearchWord = apps.get_model("agreements", "SearchWord")
    SearchWord.objects.filter(word__regex=r"[0-9_]").delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0013_search_index_and_build")]

    # Nothing to put back: a rebuild (manage.py rebuild_search) fills the vocabulary.
    operations = [migrations.RunPython(drop_numbers_and_codes, migrations.RunPython.noop)]
