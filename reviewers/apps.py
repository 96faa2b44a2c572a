import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def _ensure_load_triggers(sender, using, apps=None, **kwargs) -> None:
    """After `migrate`: a later migration that rebuilt a table on SQLite dropped its triggers;
    create them again (and recount) where the load counter exists in the migrated state."""
    from django.db import connections

    from .load_triggers import ensure_load_triggers

    try:
        profile = (apps or sender.apps).get_model("reviewers", "ReviewerProfile")
    except LookupError:
        return
    if not any(field.name == "load" for field in profile._meta.get_fields()):
        return  # migrated back before reviewers 0007: no counter, no triggers
    missing = ensure_load_triggers(connections[using])
    if missing:
        missing_names = ", ".join(missing)
        logger.warning("Re-created the reviewer load triggers (%s were missing).", missing_names)


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = "Reviewers"

    def ready(self) -> None:
        from claims.header import HEADER_FIGURES

        from . import receivers  # noqa: F401  (connects the signal listeners)
        from .context_processors import unread_figure, waiting_figure

        post_migrate.connect(_ensure_load_triggers, sender=self)
        # The header's counts, read by a dashboard page's own query where it has one.
        HEADER_FIGURES["unread"] = unread_figure
        HEADER_FIGURES["waiting"] = waiting_figure
