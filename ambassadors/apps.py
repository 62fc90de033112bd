from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"
    verbose_name = _("Ambassador programme")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401 - registers checks and worker signals
