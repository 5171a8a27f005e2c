"""SCIM 2.0 provisioning (RFC 7643/7644): /scim/v2/Users and /scim/v2/Groups for the firm's identity
provider, authenticated by a bearer token made in the admin. Users are created, updated and
deactivated — never deleted: DELETE deactivates, as `active: false` does."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from identity.models import ExternalIdentity, Provider, ScimGroup, ScimToken
from identity.services import groups_of, scim_token_authenticate, user_apply_mapping, user_deactivate, user_provision

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
BY = "SCIM provisioning"


class ScimJSONParser(JSONParser):
    media_type = "application/scim+json"


class ScimJSONRenderer(JSONRenderer):
    media_type = "application/scim+json"


class ScimTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ScimToken] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            return None
        token = scim_token_authenticate(parts[1].decode("ascii", "replace"))
        if token is None:
            raise AuthenticationFailed("Invalid or revoked SCIM token.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="scim"'


class HasScimToken(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ScimToken)


class ScimError(Exception):
    def __init__(self, status_code: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status_code, self.detail, self.scim_type = status_code, detail, scim_type


def error_response(status_code: int, detail: str, scim_type: str = "") -> Response:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status_code), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return Response(body, status=status_code)


# SCIM speaks its own protocol (RFC 7644), documented in docs/identity.md, not in Keyline's API schema.
@extend_schema(exclude=True)
class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [HasScimToken]
    parser_classes = [ScimJSONParser, JSONParser]
    renderer_classes = [ScimJSONRenderer, JSONRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ScimError):
            return error_response(exc.status_code, exc.detail, exc.scim_type)
        response = super().handle_exception(exc)
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
        return error_response(response.status_code, str(detail))


def _location(request: HttpRequest, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(name, args=[pk]))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(400, f"“{value}” is not true or false.", "invalidValue")


# --- users ----------------------------------------------------------------------------------------


def user_resource(request: HttpRequest, user: User) -> dict[str, Any]:
    external = next((e.subject for e in user.external_identities.all() if e.provider == Provider.SCIM), None)  # type: ignore[attr-defined]
    given, _, family = user.full_name.partition(" ")
    return {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        **({"externalId": external} if external else {}),
        "userName": user.email,
        "name": {"formatted": user.full_name, "givenName": given, "familyName": family},
        "displayName": user.full_name,
        "title": user.job_title,
        "active": user.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "groups": [{"value": str(g.pk), "display": g.display_name} for g in user.scim_groups.all()],  # type: ignore[attr-defined]
        "meta": {
            "resourceType": "User",
            "created": user.date_joined.isoformat(),
            "location": _location(request, "scim-user", user.pk),
        },
    }


def _users() -> Any:
    return User.objects.prefetch_related("external_identities", "scim_groups").order_by("pk")


FILTER = re.compile(r'^\s*(\w+)\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)


def _paged(request: Request, rows: list[dict[str, Any]], total: int, start: int) -> Response:
    return Response(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(rows),
            "Resources": rows,
        }
    )


def _window(request: Request) -> tuple[int, int]:
    try:
        start = max(1, int(request.query_params.get("startIndex", 1)))
        count = max(0, min(200, int(request.query_params.get("count", 100))))
    except ValueError as exc:
        raise ScimError(400, "startIndex and count must be whole numbers.", "invalidValue") from exc
    return start, count


def _name_from(data: dict[str, Any], fallback: str) -> str:
    name = data.get("name") or {}
    formatted = name.get("formatted") or " ".join(p for p in (name.get("givenName"), name.get("familyName")) if p)
    return (formatted or data.get("displayName") or fallback)[:150]


def _email_from(data: dict[str, Any]) -> str:
    email = str(data.get("userName") or "").strip().lower()
    if "@" not in email:
        raise ScimError(400, "userName must be the person's email address.", "invalidValue")
    return email


class UsersView(ScimView):
    def get(self, request: Request) -> Response:
        users = _users()
        if raw := request.query_params.get("filter"):
            match = FILTER.match(raw)
            if not match or match.group(1).lower() not in {"username", "externalid"}:
                raise ScimError(
                    400, "Only 'userName eq \"…\"' and 'externalId eq \"…\"' filters are supported.", "invalidFilter"
                )
            attribute, value = match.group(1).lower(), match.group(2)
            if attribute == "username":
                users = users.filter(email__iexact=value)
            else:
                users = users.filter(external_identities__provider=Provider.SCIM, external_identities__subject=value)
        start, count = _window(request)
        total = users.count()
        rows = [user_resource(request, u) for u in users[start - 1 : start - 1 + count]]
        return _paged(request, rows, total, start)

    def post(self, request: Request) -> Response:
        data = request.data
        email = _email_from(data)
        if User.objects.filter(email__iexact=email).exists():
            raise ScimError(409, f"A user with userName {email} already exists.", "uniqueness")
        with transaction.atomic():
            user = user_provision(
                email=email,
                full_name=_name_from(data, email),
                job_title=str(data.get("title") or "")[:100],
                active=_bool(data.get("active", True)),
                by=BY,
                claims={},
            )
            if external := data.get("externalId"):
                ExternalIdentity.objects.create(user=user, provider=Provider.SCIM, subject=str(external)[:255])
        return Response(user_resource(request, _users().get(pk=user.pk)), status=status.HTTP_201_CREATED)


def _get_user(pk: int) -> User:
    user = _users().filter(pk=pk).first()
    if user is None:
        raise ScimError(404, f"User {pk} not found.")
    return user


def _set_user(user: User, attribute: str, value: Any) -> None:
    """One attribute of a PUT or PATCH, by its SCIM path."""
    path = attribute.lower()
    if path == "active":
        if not _bool(value):
            user_deactivate(user=user, by=BY)
        elif not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
    elif path == "username":
        user.email = _email_from({"userName": value})
        user.save(update_fields=["email"])
    elif path in {"displayname", "name.formatted"}:
        user.full_name = str(value)[:150]
        user.save(update_fields=["full_name"])
    elif path == "name" and isinstance(value, dict):
        user.full_name = _name_from({"name": value}, user.full_name)
        user.save(update_fields=["full_name"])
    elif path == "title":
        user.job_title = str(value or "")[:100]
        user.save(update_fields=["job_title"])
    elif path == "externalid":
        ExternalIdentity.objects.update_or_create(user=user, provider=Provider.SCIM, defaults={"subject": str(value)})
    # Other attributes (phone numbers, addresses, enterprise extension…) are not kept by Keyline.


def _save_email(fn: Any) -> Any:
    try:
        with transaction.atomic():
            return fn()
    except IntegrityError as exc:
        raise ScimError(409, "Another user already has that userName.", "uniqueness") from exc


class UserView(ScimView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(user_resource(request, _get_user(pk)))

    def put(self, request: Request, pk: int) -> Response:
        user = _get_user(pk)
        data = request.data

        def apply() -> None:
            _set_user(user, "userName", data.get("userName", user.email))
            _set_user(user, "name.formatted", _name_from(data, user.full_name))
            _set_user(user, "title", data.get("title", ""))
            if "externalId" in data:
                _set_user(user, "externalId", data["externalId"])
            _set_user(user, "active", data.get("active", True))

        _save_email(apply)
        return Response(user_resource(request, _get_user(pk)))

    def patch(self, request: Request, pk: int) -> Response:
        user = _get_user(pk)
        operations = request.data.get("Operations")
        if not isinstance(operations, list):
            raise ScimError(400, "A PATCH needs a list of Operations.", "invalidSyntax")

        def apply() -> None:
            for operation in operations:
                op = str(operation.get("op", "")).lower()
                if op not in {"add", "replace"}:
                    raise ScimError(400, f"Operation “{op}” is not supported on users.", "invalidValue")
                path, value = operation.get("path"), operation.get("value")
                if path:
                    _set_user(user, "userName" if path.startswith("emails") else path, value)
                elif isinstance(value, dict):
                    for attribute, item in value.items():
                        _set_user(user, attribute, item)

        _save_email(apply)
        return Response(user_resource(request, _get_user(pk)))

    def delete(self, request: Request, pk: int) -> Response:
        """Never a deletion: the person keeps their history and loses access at once."""
        user_deactivate(user=_get_user(pk), by=BY)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- groups ---------------------------------------------------------------------------------------


def group_resource(request: HttpRequest, group: ScimGroup) -> dict[str, Any]:
    return {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        **({"externalId": group.external_id} if group.external_id else {}),
        "displayName": group.display_name,
        "members": [{"value": str(u.pk), "display": u.email} for u in group.members.all()],
        "meta": {"resourceType": "Group", "location": _location(request, "scim-group", group.pk)},
    }


def _member_ids(value: Any) -> list[int]:
    items = value if isinstance(value, list) else [value]
    try:
        return [int(item["value"]) for item in items if isinstance(item, dict)]
    except (KeyError, ValueError, TypeError) as exc:
        raise ScimError(400, 'Members are given as [{"value": "<user id>"}].', "invalidValue") from exc


def _remap(user_ids: set[int]) -> None:
    """Group membership changed: apply the mapping table again to those people."""
    for user in User.objects.filter(pk__in=user_ids).prefetch_related("scim_groups"):
        user_apply_mapping(user=user, claims={"groups": list(groups_of(user))})


def _members(pks: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=pks))
    if len(users) != len(set(pks)):
        raise ScimError(400, "A member is not a known user.", "invalidValue")
    return users


class GroupsView(ScimView):
    def get(self, request: Request) -> Response:
        groups = ScimGroup.objects.prefetch_related("members").order_by("pk")
        if raw := request.query_params.get("filter"):
            match = FILTER.match(raw)
            if not match or match.group(1).lower() != "displayname":
                raise ScimError(400, "Only 'displayName eq \"…\"' filters are supported.", "invalidFilter")
            groups = groups.filter(display_name=match.group(2))
        start, count = _window(request)
        rows = [group_resource(request, g) for g in groups[start - 1 : start - 1 + count]]
        return _paged(request, rows, groups.count(), start)

    def post(self, request: Request) -> Response:
        name = str(request.data.get("displayName") or "").strip()
        if not name:
            raise ScimError(400, "displayName is required.", "invalidValue")
        if ScimGroup.objects.filter(display_name=name).exists():
            raise ScimError(409, f"A group named {name} already exists.", "uniqueness")
        members = _members(_member_ids(request.data.get("members", [])))
        with transaction.atomic():
            group = ScimGroup.objects.create(display_name=name, external_id=str(request.data.get("externalId") or ""))
            group.members.set(members)
            _remap({u.pk for u in members})
        return Response(group_resource(request, group), status=status.HTTP_201_CREATED)


MEMBER_PATH = re.compile(r'^members\[value eq "(\d+)"\]$', re.IGNORECASE)


def _get_group(pk: int) -> ScimGroup:
    group = ScimGroup.objects.prefetch_related("members").filter(pk=pk).first()
    if group is None:
        raise ScimError(404, f"Group {pk} not found.")
    return group


class GroupView(ScimView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(group_resource(request, _get_group(pk)))

    def put(self, request: Request, pk: int) -> Response:
        group = _get_group(pk)
        before = set(group.members.values_list("pk", flat=True))
        members = _members(_member_ids(request.data.get("members", [])))
        with transaction.atomic():
            group.display_name = str(request.data.get("displayName") or group.display_name)
            group.save()
            group.members.set(members)
            _remap(before | {u.pk for u in members})
        return Response(group_resource(request, _get_group(pk)))

    def patch(self, request: Request, pk: int) -> Response:
        group = _get_group(pk)
        operations = request.data.get("Operations")
        if not isinstance(operations, list):
            raise ScimError(400, "A PATCH needs a list of Operations.", "invalidSyntax")
        touched: set[int] = set()
        with transaction.atomic():
            for operation in operations:
                op = str(operation.get("op", "")).lower()
                path = str(operation.get("path") or "")
                value = operation.get("value")
                if path.lower() == "members" and op in {"add", "replace", "remove"}:
                    users = _members(_member_ids(value))
                    touched |= {u.pk for u in users}
                    if op == "replace":
                        touched |= set(group.members.values_list("pk", flat=True))
                        group.members.set(users)
                    elif op == "add":
                        group.members.add(*users)
                    else:
                        group.members.remove(*users)
                elif op == "remove" and (match := MEMBER_PATH.match(path)):
                    touched.add(int(match.group(1)))
                    group.members.remove(*_members([int(match.group(1))]))
                elif op in {"replace", "add"} and (path.lower() == "displayname" or isinstance(value, dict)):
                    name = value if path else (value or {}).get("displayName")
                    if name:
                        group.display_name = str(name)
                        group.save(update_fields=["display_name", "updated_at"])
                else:
                    raise ScimError(400, f"Operation “{op}” on “{path}” is not supported.", "invalidPath")
            _remap(touched)
        return Response(group_resource(request, _get_group(pk)))

    def delete(self, request: Request, pk: int) -> Response:
        group = _get_group(pk)
        members = set(group.members.values_list("pk", flat=True))
        with transaction.atomic():
            group.delete()
            _remap(members)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceProviderConfigView(ScimView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": 200},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {"type": "oauthbearertoken", "name": "Bearer token", "description": "A SCIM token from Keyline"}
                ],
            }
        )
