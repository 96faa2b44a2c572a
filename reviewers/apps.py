from django.apps import AppConfig


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = "Reviewers"

    def ready(self) -> None:
        from claims.header import HEADER_FIGURES

        from . import receivers  # noqa: F401  (connects the signal listeners)
        from .context_processors import unread_figure, waiting_figure

        # The header's counts, read by a dashboard page's own query where it has one.
        HEADER_FIGURES["unread"] = unread_figure
        HEADER_FIGURES["waiting"] = waiting_figure
