from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from .evidence import receivers  # noqa: F401  (checks new evidence; registers its tasks)
