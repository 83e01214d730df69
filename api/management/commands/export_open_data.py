import time
from pathlib import Path

from django.core.management.base import BaseCommand

from api.open_data import export, open_data_dir


class Command(BaseCommand):
    help = (
        "Write every public record as JSON Lines, with a JSON Schema and an index, for an "
        "open-data portal (by default where the site's Open data page offers them)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="folder to write into (default: ACCORDS_OPEN_DATA_DIR)"
        )

    def handle(self, *args, output=None, **options):
        target = Path(output) if output else open_data_dir()
        started = time.perf_counter()
        index = export(target)
        seconds = time.perf_counter() - started
        for name, facts in index["files"].items():
            records = facts.get("records")
            count = f"{records:>9,} records" if records is not None else " " * 17
            self.stdout.write(f"{name:<18}{count}{facts['bytes']:>14,} bytes")
        total = sum(facts.get("records", 0) for facts in index["files"].values())
        self.stdout.write(
            f"Wrote {total:,} records to {target} in {seconds:.1f} s "
            f"({total / max(seconds, 1e-9):,.0f} records/s)."
        )
