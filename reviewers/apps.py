from django.apps import AppConfig


class ReviewersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviewers"
    verbose_name = "Reviewers"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the signal listeners)
