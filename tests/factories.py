"""factory_boy factories for every core model. Apps add their own beside their tests."""

import datetime
from decimal import Decimal

import factory
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Assignment,
    Client,
    FeeRecord,
    Office,
    PracticeGroup,
    Role,
    ServiceLine,
    Tier,
    User,
)
from health.models import HealthScore, Measurement, Scorecard
from planning.models import AccountPlan, Action, ClientReview, Objective, Opportunity, Risk
from stakeholders.models import Interaction, Relationship, Stakeholder

PASSWORD = "correct-horse-battery-staple"


class PracticeGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeGroup
        django_get_or_create = ["name"]

    name = factory.Iterator(["Corporate", "Disputes", "Finance"])


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ["name"]

    name = factory.Iterator(["London", "Manchester"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@firm.example")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.PARTNER
    practice_group = factory.SubFactory(PracticeGroupFactory)
    office = factory.SubFactory(OfficeFactory)
    password = factory.django.Password(PASSWORD)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ["name"]

    name = "Growth"
    rank = 1


class ServiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLine
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Service line {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    """A client with a current CRP (pass crp=user, or one is made)."""

    class Meta:
        model = Client
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Client {n:05d} plc")
    sector = "Energy"
    country = "United Kingdom"
    tier = factory.LazyFunction(lambda: Tier.objects.get_or_create(name="Growth", defaults={"rank": 1})[0])
    crp = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # One transaction: the database insists an active client always has a current CRP.
        crp = kwargs.pop("crp", None)
        with transaction.atomic():
            client = model_class.objects.create(*args, **kwargs)
            Assignment.objects.create(
                client=client, user=crp or UserFactory(), role="crp", start_date=datetime.date(2022, 1, 1)
            )
        return client


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    client = factory.SubFactory(ClientFactory)
    user = factory.SubFactory(UserFactory)
    role = "team"
    start_date = datetime.date(2023, 1, 1)


class FeeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeRecord

    client = factory.SubFactory(ClientFactory)
    service_line = factory.SubFactory(ServiceLineFactory)
    financial_year = 2025
    amount = Decimal("100000.00")


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Stakeholder {n}")
    job_title = "Director"
    seniority = "senior"
    buying_role = "influencer"


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    stakeholder = factory.SubFactory(StakeholderFactory)
    user = factory.SubFactory(UserFactory)
    strength = 3


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(timezone.localdate)
    kind = "meeting"
    sentiment = 1
    summary = "Catch-up on the year ahead"

    @factory.post_generation
    def firm_attendees(self, create, extracted, **kwargs):
        if create:
            self.firm_attendees.set(extracted or [UserFactory()])


class AccountPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountPlan

    client = factory.SubFactory(ClientFactory)
    year = 2026
    status = "active"


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(AccountPlanFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    target_value = Decimal(10)
    current_value = Decimal(4)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    plan = factory.SubFactory(AccountPlanFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    client = factory.SubFactory(ClientFactory)
    service_line = factory.SubFactory(ServiceLineFactory)
    description = factory.Sequence(lambda n: f"Opportunity {n}")
    estimated_fees = Decimal("50000.00")
    probability = 40


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    category = "competitor"


class ClientReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientReview

    client = factory.SubFactory(ClientFactory)
    planned_date = factory.LazyFunction(timezone.localdate)


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    version = factory.Sequence(lambda n: n + 100)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    client = factory.SubFactory(ClientFactory)
    measure_key = "client_nps"
    value = Decimal(8)
    measured_on = factory.LazyFunction(timezone.localdate)


class HealthScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthScore

    client = factory.SubFactory(ClientFactory)
    as_of = factory.LazyFunction(timezone.localdate)
    score = Decimal("65.00")
    coverage = Decimal("0.800")
    band = "amber"
    scorecard = factory.SubFactory(ScorecardFactory)
