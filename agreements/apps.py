from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import dashboard  # noqa: F401 - connects the signals that refresh the counts
        from .exports import register_sqlite_functions
        from .search import connect_signals

        connect_signals()

        connection_created.connect(register_sqlite_functions)
