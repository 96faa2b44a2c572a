"""Who may do what. The dashboard, the API and the services all ask here."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from factcheck.db import prepared_cursor

if TYPE_CHECKING:
    from .models import Claim, Verdict

EDITORS = "Editors"
FACT_CHECKERS = "Fact-checkers"

# Permissions each group gets (created by a migration). Only the workflow's own permissions,
# which the services check: no raw model permission (add_verdict, add_evidence, change_claim...)
# that would let the admin or a script write governed rows around the services (issue #11).
FACT_CHECKER_PERMISSIONS = ["claims.work_claim"]
EDITOR_PERMISSIONS = FACT_CHECKER_PERMISSIONS + [
    "claims.triage_claim",
    "claims.assign_claim",
    "claims.approve_verdict",
    "claims.publish_claim",
    "claims.ingest_article",
    "claims.export_verdicts",
    "reviewers.change_reviewerprofile",
]


def holds_permission(perm: str, *, user: str = "") -> Q:
    """The one role query: a condition true for users who hold `perm` ("app_label.codename")
    through a group, their own permissions, or as superuser (what `user.has_perm` answers for an
    active user). `user` is the path from the queried model to the user ("" when querying users,
    "user" for a model with a `user` foreign key)."""
    app_label, codename = perm.split(".", 1)
    granted = Permission.objects.filter(
        codename=codename, content_type__app_label=app_label
    ).values("pk")
    ref = OuterRef(f"{user}_id" if user else "pk")
    User = get_user_model()
    # Written over the link tables alone (no join through the groups' own table): the same
    # answer as filtering permissions by group__user and user, at half the planning.
    groups = Group.permissions.through.objects.filter(permission_id__in=granted)
    return (
        Q(**{f"{user}__is_superuser" if user else "is_superuser": True})
        | Exists(
            User.groups.through.objects.filter(user_id=ref, group_id__in=groups.values("group_id"))
        )
        | Exists(
            User.user_permissions.through.objects.filter(user_id=ref, permission_id__in=granted)
        )
    )


def users_with_permission(perm: str) -> QuerySet:
    """Active users who hold `perm` (see `holds_permission`)."""
    return get_user_model().objects.filter(is_active=True).filter(holds_permission(perm))


def load_permissions(user) -> set[str]:
    """Every permission `user` holds, read in one query (Django's ModelBackend reads its own
    and its groups' in two) and kept on the user object where ModelBackend keeps them, so each
    later check in the request (`user.has_perm` included) is answered without a query."""
    if not hasattr(user, "_perm_cache"):
        if user.is_superuser:
            granted = Permission.objects.all()
        else:
            granted = Permission.objects.filter(Q(group__user=user) | Q(user=user))
        user._perm_cache = {
            f"{app_label}.{codename}"
            for app_label, codename in granted.values_list(
                "content_type__app_label", "codename"
            ).order_by()
        }
    return user._perm_cache


def _has(user, perm: str) -> bool:
    """What `user.has_perm(perm)` answers with our AUTHENTICATION_BACKENDS (ModelBackend alone
    grants permissions; the lockout backend grants none), from the permissions loaded once a
    request: an active superuser holds every one. Asked a dozen times a page, without going
    through the backends (Django loads and instantiates each on every call)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return perm in load_permissions(user)


def is_editor(user) -> bool:
    return _has(user, "claims.approve_verdict")


def is_fact_checker(user) -> bool:
    return _has(user, "claims.work_claim")


def can_triage(user) -> bool:
    return _has(user, "claims.triage_claim")


def can_assign(user) -> bool:
    return _has(user, "claims.assign_claim")


def can_ingest(user) -> bool:
    return _has(user, "claims.ingest_article")


def can_export(user) -> bool:
    return _has(user, "claims.export_verdicts")


def can_publish(user) -> bool:
    return _has(user, "claims.publish_claim")


def can_view_claims(user) -> bool:
    return is_fact_checker(user) or is_editor(user)


def can_work_on(user, claim: Claim) -> bool:
    """Only the assignee works on a claim: evidence, drafts, submit, decline."""
    return is_fact_checker(user) and claim.assignee_id is not None and claim.assignee_id == user.pk


def can_add_evidence(user, claim: Claim) -> bool:
    return can_work_on(user, claim) or is_editor(user)


def can_approve(user, verdict: Verdict) -> bool:
    """Editors approve or return verdicts, never one they wrote or submitted (four eyes)."""
    return (
        is_editor(user)
        and verdict.author_id != user.pk
        and (verdict.submitted_by_id is None or verdict.submitted_by_id != user.pk)
    )


def can_view_verdict(user, verdict: Verdict, claim: Claim | None = None) -> bool:
    """A draft is its author's. Editors look over the current draft of a claim they are not
    working on; nobody else sees it, least of all whoever the claim went to next: a draft left
    behind by a reassignment stays in the history, read by its author only."""
    if verdict.state == "draft":
        if verdict.author_id == user.pk:
            return True
        claim = claim if claim is not None else verdict.claim
        return is_editor(user) and verdict.is_current and claim.assignee_id != user.pk
    if verdict.state == "returned" and not verdict.is_current:
        # Returned work that a reassignment left behind is its author's, like a draft.
        return verdict.author_id == user.pk or (
            is_editor(user)
            and (claim if claim is not None else verdict.claim).assignee_id != user.pk
        )
    return can_view_claims(user)


# --- The session's user, with their permissions ------------------------------------------------

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _m2m(descriptor) -> tuple[str, str, str]:
    """A many-to-many field's table and its two columns (this side's id, the other side's)."""
    field = descriptor.field
    through = field.remote_field.through._meta
    return (
        through.db_table,
        through.get_field(field.m2m_field_name()).column,
        through.get_field(field.m2m_reverse_field_name()).column,
    )


def permission_names_sql(user_pk: str) -> str:
    """Two SQL columns for the user whose id is the expression `user_pk`: ARRAYs of the names
    ("app_label.codename", as ModelBackend writes them) of their own permissions and of their
    groups'. Table and column names come from the models and the database's quoting."""
    from django.contrib.contenttypes.models import ContentType

    User = get_user_model()
    q = connection.ops.quote_name
    perm = Permission._meta
    name = f"ct.{q('app_label')} || '.' || p.{q('codename')}"
    join = (
        f"JOIN {q(perm.db_table)} p ON p.{q(perm.pk.column)} = {{link}} "
        f"JOIN {q(ContentType._meta.db_table)} ct "
        f"ON ct.{q(ContentType._meta.pk.column)} = p.{q(perm.get_field('content_type').column)}"
    )
    own, own_user, own_perm = _m2m(User.user_permissions)
    member, member_user, member_group = _m2m(User.groups)
    granted, granted_group, granted_perm = _m2m(Group.permissions)
    return (
        f"ARRAY(SELECT {name} FROM {q(own)} up {join.format(link=f'up.{q(own_perm)}')} "  # noqa: S608
        f"WHERE up.{q(own_user)} = {user_pk}), "
        f"ARRAY(SELECT {name} FROM {q(member)} ug "
        f"JOIN {q(granted)} gp ON gp.{q(granted_group)} = ug.{q(member_group)} "
        f"{join.format(link=f'gp.{q(granted_perm)}')} "
        f"WHERE ug.{q(member_user)} = {user_pk})"
    )


def preload_permissions(user, own, groups) -> None:
    """Hand ModelBackend the permissions it would read on the first `has_perm` (the attribute
    names are its caches: `_user_perm_cache`, `_group_perm_cache`, `_perm_cache`)."""
    user._user_perm_cache, user._group_perm_cache = set(own), set(groups)
    user._perm_cache = user._user_perm_cache | user._group_perm_cache


@functools.cache
def _user_sql() -> tuple[str, list[str]]:
    """The query (one parameter: the user's id) and the user's field names in the order of its
    columns, then the names of the user's own permissions and of their groups'. Written out once
    from the models' tables (as claims/api/authentication.py does for tokens): built by the ORM
    it would cost more than it runs."""
    User = get_user_model()
    q = connection.ops.quote_name
    fields = [f.attname for f in User._meta.concrete_fields]
    columns = [f"u.{q(f.column)}" for f in User._meta.concrete_fields]
    user_pk = f"u.{q(User._meta.pk.column)}"
    sql = (
        f"SELECT {', '.join(columns)}, {permission_names_sql(user_pk)} "  # noqa: S608 (names from the models; the id a parameter)
        f"FROM {q(User._meta.db_table)} u WHERE {user_pk} = %s"
    )
    return sql, fields


def user_with_permissions(user_id):
    """The user `user_id` as ModelBackend.get_user returns them (None when missing or
    inactive), with every permission they hold read in the same query and handed to
    ModelBackend as the caches it fills itself on the first `has_perm` (a superuser's are
    left to ModelBackend). One query, fresh each time: a permission taken away applies to the
    next request."""
    sql, fields = _user_sql()
    with prepared_cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    return _user_of(row, fields)


def _user_of(row, fields: list[str]):
    """`user_with_permissions`' user from its row (the user's columns, then the two arrays of
    permission names); None for no row, a row of NULLs (an outer join's) or an inactive user."""
    from django.contrib.auth.backends import ModelBackend

    if row is None or row[0] is None:
        return None
    user = get_user_model().from_db(connection.alias, fields, row[: len(fields)])
    if not ModelBackend().user_can_authenticate(user):
        return None
    if not user.is_superuser:
        preload_permissions(user, row[-2], row[-1])
    return user


# Session key -> the user id its data named when this process last read it: the user whose
# row is read along with the session next time (`_session_with_user`). Only a guess: the
# session's data decides whose session it is, and a wrong guess costs the user's own query.
_SESSION_USERS: dict[str, object] = {}
SESSION_USERS_KEPT = 10_000


@functools.cache
def _session_user_sql() -> str:
    """The session's read (factcheck.sessions) with the user of an id (the first parameter)
    and their permissions beside it, as `_user_sql` reads them."""
    from factcheck import sessions

    User = get_user_model()
    q = connection.ops.quote_name
    columns = "".join(f", u.{q(f.column)}" for f in User._meta.concrete_fields)
    user_pk = f"u.{q(User._meta.pk.column)}"
    return sessions.read_sql(
        connection.alias,
        columns=f"{columns}, {permission_names_sql(user_pk)}",
        joins=f"LEFT JOIN {q(User._meta.db_table)} u ON {user_pk} = %s",
    )


def _session_with_user(request):
    """Where this process has seen the request's session before (on PostgreSQL, with the
    project's session store, not read yet by this request): the session and the user it named
    last time read in one statement. The session is given its data (factcheck.sessions.prime)
    and the user row returned as (that user's id, the row) for `session_user` to use if the
    session still names them; None where nothing was read."""
    from django.conf import settings

    from factcheck import sessions

    session = getattr(request, "session", None)
    if (
        connection.vendor != "postgresql"
        or sessions.__name__ != settings.SESSION_ENGINE
        or not isinstance(session, sessions.SessionStore)
        or hasattr(session, "_session_cache")
    ):
        return None
    key = session.session_key
    guess = _SESSION_USERS.get(key) if key else None
    if guess is None or "\x00" in key:
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_session_user_sql(), [guess, key, sessions.now_for(connection.alias)])
        row = cursor.fetchone()
    sessions.prime(session, None if row is None else row[0])
    return None if row is None else (guess, row[1:])


def _remember(request, user_id) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key is None or connection.vendor != "postgresql":  # read apart elsewhere
        return
    if len(_SESSION_USERS) >= SESSION_USERS_KEPT and key not in _SESSION_USERS:
        _SESSION_USERS.clear()
    _SESSION_USERS[key] = user_id


def remember_session_user(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: the new session names `user`, so that its first page reads them
    along with the session (`_session_with_user`) in this process."""
    if request is not None and user is not None:
        _remember(request, user.pk)


def session_user(request):
    """`django.contrib.auth.get_user(request)`, the user with their permissions in one query
    where the session names Django's ModelBackend (on PostgreSQL); Django's own otherwise.
    Where this process has seen the session before, that query is the session's own read too
    (`_session_with_user`).

    The session is checked as Django checks it: the password hash in the session must match
    the user's (a password change or a logout elsewhere ends the session; a hash made with a
    fallback secret is renewed), or the session is flushed and the request is anonymous."""
    from django.conf import settings
    from django.contrib import auth
    from django.contrib.auth.models import AnonymousUser
    from django.utils.crypto import constant_time_compare

    read = _session_with_user(request)
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if (
        backend_path != MODEL_BACKEND
        or backend_path not in settings.AUTHENTICATION_BACKENDS
        or connection.vendor != "postgresql"
    ):
        return auth.get_user(request)
    _remember(request, user_id)
    if read is not None and read[0] == user_id:
        user = _user_of(read[1], _user_sql()[1])
    else:
        user = user_with_permissions(user_id)
    if user is None:
        return AnonymousUser()
    session_hash = request.session.get(auth.HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[auth.HASH_SESSION_KEY] = session_auth_hash
        return user
    request.session.flush()
    return AnonymousUser()
