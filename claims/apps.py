import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate

logger = logging.getLogger(__name__)


def _ensure_state_count_triggers(sender, using, apps=None, **kwargs) -> None:
    """After `migrate` or `flush`: a later migration that rebuilt the claims table on SQLite
    dropped its triggers, or SQLite's flush emptied the counts before the claims; create the
    triggers again and recount where the counts exist in the migrated state."""
    from django.db import connections

    from .state_counts import ensure_triggers, reconcile

    try:
        (apps or sender.apps).get_model("claims", "ClaimStateCount")
    except LookupError:
        return  # migrated back before claims 0008: no counts, no triggers
    missing = ensure_triggers(connections[using])
    if missing:
        logger.warning(
            "Re-created the claim state count triggers (%s were missing).", ", ".join(missing)
        )
    elif reconcile(connections[using]):
        logger.warning("Counted the claims in each state again (the kept counts differed).")


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .evidence import receivers  # noqa: F401  (checks new evidence; registers its tasks)
        from .permissions import remember_session_user

        post_migrate.connect(_ensure_state_count_triggers, sender=self)
        # A session is read with its user from its first page on (claims.permissions).
        user_logged_in.connect(remember_session_user, dispatch_uid="claims.session_user")
