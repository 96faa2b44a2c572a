"""Public pages (no login): published fact-checks and their feeds."""

from django.urls import path

from . import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.fact_check_list, name="list"),
    path("feed.jsonld", public_views.feed_jsonld, name="feed_jsonld"),
    path("feed.rss", public_views.LatestFactChecksFeed(), name="feed_rss"),
    path("<int:claim_id>/", public_views.fact_check_detail, name="fact_check"),
]
