"""Serializer fields that keep the wall: a related id behind it is refused like one that does not exist.

Every writable related field (`client`, `plan`, `stakeholders`, `reports_to`, …) accepts only rows
of `accounts.access.visible_rows` for the requesting user, with one message that does not repeat the
id, so `{"plan": <hidden>}` and `{"plan": <no such id>}` get the same 400. Without a request in the
serializer's context no client data is accepted at all.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from accounts.access import client_path, visible_rows


class AccessScopedSerializerMixin:
    """Mix into a serializer before `serializers.Serializer`/`ModelSerializer`."""

    def get_fields(self):
        fields = super().get_fields()
        request = getattr(self, "context", {}).get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            relation = field.child_relation if isinstance(field, ManyRelatedField) else field
            if isinstance(relation, RelatedField) and not field.read_only:
                _scope(relation, user)
        return fields


def _scope(relation: RelatedField, user) -> None:
    queryset = relation.queryset
    if queryset is None:
        return
    name = queryset.model._meta.verbose_name
    relation.error_messages = {**relation.error_messages, "does_not_exist": f"No such {name}."}
    if client_path(queryset.model) is None:
        return
    relation.queryset = visible_rows(user, queryset.all()) if user is not None else queryset.none()


class AccessScopedModelSerializer(AccessScopedSerializerMixin, serializers.ModelSerializer):
    pass


class AccessScopedSerializer(AccessScopedSerializerMixin, serializers.Serializer):
    pass
