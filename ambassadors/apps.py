from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"
    verbose_name = _("Ambassador programme")

    def ready(self) -> None:
        from . import checks, shutdown, signals  # noqa: F401 - checks and worker signals
        from .reporting.rollups.changes import connect_signals

        connect_signals()
