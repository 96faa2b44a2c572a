"""Print a new API token for a user (any earlier token of theirs stops working)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.api.tokens import token_create


class Command(BaseCommand):
    help = "Print a new API token for USERNAME; any earlier token of theirs stops working."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"There is no user named {username}.") from None
        if not user.is_active:
            raise CommandError(f"{username} is disabled; enable the account first.")
        self.stdout.write(token_create(user=user).key)
