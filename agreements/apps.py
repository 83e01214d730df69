from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import dashboard  # noqa: F401 - connects the signals that refresh the counts
        from .exports import register_sqlite_functions
        from .search import build_missing_documents, connect_signals

        connect_signals()
        # Once every app is migrated, so the models and the tables agree.
        post_migrate.connect(build_missing_documents, sender=self, dispatch_uid="search-documents")

        connection_created.connect(register_sqlite_functions)
