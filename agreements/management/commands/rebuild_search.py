from django.core.management.base import BaseCommand

from agreements.search import refresh_all


class Command(BaseCommand):
    help = "Rebuild every search document (after a bulk load or a change to what search covers)."

    def handle(self, *args, **options):
        counts = refresh_all()
        self.stdout.write(
            "Search documents rebuilt: {agreements} agreements, {agencies} agencies, "
            "{milestones} milestones.".format(**counts)
        )
