#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    # The command line is for development and scripts: with DJANGO_DEBUG unset it runs in
    # development mode. The web app (factcheck.wsgi/asgi) and the Celery worker never default
    # to it: without DJANGO_DEBUG=1 they refuse to start with no DJANGO_SECRET_KEY.
    if "DJANGO_DEBUG" not in os.environ and "DJANGO_SECRET_KEY" not in os.environ:
        os.environ["DJANGO_DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
