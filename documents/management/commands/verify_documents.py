"""Re-read every stored file and compare it with the SHA-256 recorded at upload: after
a restore from backup, or a move to other storage, this says whether every file
people were shown is there and unchanged."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from documents.content import sha256_of
from documents.models import DocumentVersion
from documents.storage import all_stored_names, chunks, document_storage


class Command(BaseCommand):
    help = "Check every stored document version against its recorded SHA-256."

    def add_arguments(self, parser):
        parser.add_argument(
            "--orphans",
            action="store_true",
            help="Also list stored files that no document version names.",
        )
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="Delete those files (only those older than --older-than hours).",
        )
        parser.add_argument(
            "--older-than",
            type=float,
            default=24,
            help="Hours; younger files may belong to an upload still being saved.",
        )

    def handle(self, *args, orphans=False, delete_orphans=False, older_than=24, **options):
        checked, bad = 0, 0
        versions = DocumentVersion.objects.order_by("pk").only("file", "sha256", "size")
        for version in versions.iterator(chunk_size=500):
            checked += 1
            name = version.file.name
            if not document_storage.exists(name):
                bad += 1
                self.stdout.write(
                    f"MISSING {name} (document {version.document_id}, v{version.number})"
                )
                continue
            digest, size = sha256_of(chunks(name))
            if digest != version.sha256 or size != version.size:
                bad += 1
                self.stdout.write(
                    f"ALTERED {name} (document {version.document_id}, v{version.number}): "
                    f"SHA-256 {digest}, {size} bytes; "
                    f"recorded {version.sha256}, {version.size} bytes"
                )
        if orphans or delete_orphans:
            self.orphans(delete=delete_orphans, older_than=older_than)
        if bad:
            raise CommandError(f"{bad} of {checked} files missing or altered.")
        self.stdout.write(f"{checked} files checked, all intact.")

    def orphans(self, *, delete: bool, older_than: float) -> None:
        known = set(DocumentVersion.objects.values_list("file", flat=True))
        cutoff = timezone.now() - datetime.timedelta(hours=older_than)
        for name in all_stored_names():
            if name in known:
                continue
            self.stdout.write(f"ORPHAN {name}")
            if delete and document_storage.get_modified_time(name) <= cutoff:
                document_storage.delete(name)
                self.stdout.write(f"  deleted {name}")
