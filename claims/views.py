"""Dashboard pages. They render what selectors return and call services; they never decide."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from . import selectors


@login_required
def home(request):
    return render(
        request,
        "claims/home.html",
        {
            "queue": selectors.queue_for(request.user),
            "recent_articles": selectors.recent_articles(),
        },
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
