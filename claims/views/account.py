"""The person's own API token: create (shown once) or revoke it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from claims.api.tokens import token_create, token_revoke


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    new_key = None
    if request.method == "POST":
        if request.POST.get("intent") == "revoke":
            if token_revoke(user=request.user):
                messages.success(request, "Your API token was revoked; scripts using it stop now.")
            else:
                messages.info(request, "You had no API token.")
            return redirect("claims:api_token")
        new_key = token_create(user=request.user).key
        messages.success(request, "New API token made. Copy it now: it is shown only once.")
    token = Token.objects.filter(user=request.user).only("created").first()
    return render(request, "claims/api_token.html", {"token": token, "new_key": new_key})
