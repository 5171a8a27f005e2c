"""Serializers of the planning API: shape and validate; writes go through planning.services."""

from __future__ import annotations

from rest_framework import serializers

from accounts.api_scoping import AccessScopedModelSerializer, AccessScopedSerializer
from accounts.models import Client, User
from planning.choices import bounds
from planning.models import (
    AccountPlan,
    Action,
    ChecklistItem,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Risk,
    Transition,
)
from stakeholders.models import Stakeholder

FIRM_PEOPLE = User.objects.all()  # activeness is checked by the services, with a field message


class PlanSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    client_name = serializers.CharField(source="client.name", read_only=True)

    class Meta:
        model = AccountPlan
        fields = [
            "id",
            "client",
            "client_name",
            "year",
            "status",
            *AccountPlan.EDITABLE_FIELDS,
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "version", "created_at", "updated_at"]
        validators = []  # uniqueness is the service's to report, by field


class PlanUpdateSerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        read_only_fields = ["client", "year", "status", "version", "created_at", "updated_at"]


class PlanStartSerializer(AccessScopedSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    year = serializers.IntegerField(**bounds(AccountPlan, "year"))


class ObjectiveSerializer(AccessScopedModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=AccountPlan.objects.all())
    progress = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "plan",
            *Objective.EDITABLE_FIELDS,
            "progress",
            "version",
        ]
        read_only_fields = ["version"]


class ActionSerializer(AccessScopedModelSerializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=AccountPlan.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=FIRM_PEOPLE)
    stakeholders = serializers.PrimaryKeyRelatedField(queryset=Stakeholder.objects.all(), many=True, required=False)
    client = serializers.IntegerField(source="plan.client_id", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "client",
            *Action.EDITABLE_FIELDS,
            "completed_on",
            "version",
            "created_at",
        ]
        read_only_fields = ["completed_on", "version", "created_at"]


class OpportunitySerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=FIRM_PEOPLE, required=False, allow_null=True)
    weighted_value = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    probability = serializers.IntegerField(**bounds(Opportunity, "probability"), required=False)
    estimated_fees = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "client",
            *Opportunity.EDITABLE_FIELDS,
            "weighted_value",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class RiskSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=FIRM_PEOPLE, required=False, allow_null=True)
    likelihood = serializers.IntegerField(**bounds(Risk, "likelihood"), required=False)
    impact = serializers.IntegerField(**bounds(Risk, "impact"), required=False)
    severity = serializers.IntegerField(read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "client",
            *Risk.EDITABLE_FIELDS,
            "severity",
            "version",
            "created_at",
        ]
        read_only_fields = ["version", "created_at"]


class ReviewSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    firm_attendees = serializers.PrimaryKeyRelatedField(queryset=FIRM_PEOPLE, many=True, required=False)
    client_attendees = serializers.PrimaryKeyRelatedField(queryset=Stakeholder.objects.all(), many=True, required=False)

    class Meta:
        model = ClientReview
        fields = [
            "id",
            "client",
            *ClientReview.EDITABLE_FIELDS,
            "version",
        ]
        read_only_fields = ["version"]


class TransitionSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    incoming = serializers.PrimaryKeyRelatedField(queryset=FIRM_PEOPLE)

    class Meta:
        model = Transition
        fields = [
            "id",
            "client",
            "outgoing",
            *Transition.EDITABLE_FIELDS,
            "status",
            "completed_on",
            "version",
            "created_at",
        ]
        read_only_fields = ["outgoing", "status", "completed_on", "version", "created_at"]


class TransitionCompleteSerializer(serializers.Serializer):
    on_date = serializers.DateField(required=False)


class PanelSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())

    class Meta:
        model = PanelAppointment
        fields = [
            "id",
            "client",
            *PanelAppointment.EDITABLE_FIELDS,
            "version",
        ]
        read_only_fields = ["version"]


class GuidelineSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())

    class Meta:
        model = Guideline
        fields = ["id", "client", *Guideline.EDITABLE_FIELDS, "version"]
        read_only_fields = ["version"]


class ChecklistItemSerializer(AccessScopedModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "client",
            "assignment",
            "transition",
            *ChecklistItem.EDITABLE_FIELDS,
            "version",
        ]
        read_only_fields = ["assignment", "transition", "version"]


class PipelineClientSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="pk")
    client_name = serializers.CharField(source="name")
    pipeline = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted_pipeline = serializers.DecimalField(max_digits=18, decimal_places=2)


class PipelineSerializer(serializers.Serializer):
    pipeline = serializers.DecimalField(max_digits=18, decimal_places=2)
    weighted_pipeline = serializers.DecimalField(max_digits=18, decimal_places=2)
    clients = PipelineClientSerializer(many=True)


class OverdueReviewSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="pk")
    client_name = serializers.CharField(source="name")
    review_cadence_days = serializers.IntegerField()
    last_held = serializers.DateField(allow_null=True)
    review_due_on = serializers.DateField(allow_null=True)
    next_planned = serializers.DateField(allow_null=True)
