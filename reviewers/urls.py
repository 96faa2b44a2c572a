from django.urls import path

from . import views

app_name = "reviewers"

urlpatterns = [
    path("workload/", views.workload, name="workload"),
    path("<int:profile_id>/edit/", views.profile_edit, name="profile_edit"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
    path("claims/<int:claim_id>/assign/", views.claim_assign, name="claim_assign"),
    path("claims/<int:claim_id>/unassign/", views.claim_unassign, name="claim_unassign"),
    path("claims/<int:claim_id>/decline/", views.claim_decline, name="claim_decline"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
]
