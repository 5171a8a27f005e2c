"""Build a client's data for the health measures in a few lines."""

import datetime
import random
from decimal import Decimal

from accounts.models import Assignment, FeeRecord, ServiceLine
from health.models import Measurement
from planning.models import AccountPlan, Action, Risk
from stakeholders.models import Interaction, Relationship, Stakeholder
from tests.factories import ClientFactory, UserFactory


def random_client_data(rng: random.Random, client, *, as_of: datetime.date, lines: list[ServiceLine], owner) -> None:
    """A random spread of interactions, stakeholders, fees, actions, risks and measurements."""
    Interaction.objects.bulk_create(
        [
            Interaction(
                client=client,
                date=as_of - datetime.timedelta(days=rng.randint(0, 500)),
                sentiment=rng.randint(-2, 2),
                summary="Touchpoint",
            )
            for _ in range(rng.randint(0, 15))
        ]
    )
    people = Stakeholder.objects.bulk_create(
        [
            Stakeholder(
                client=client,
                name=f"Person {i}",
                seniority=rng.choice(["board", "c_suite", "senior", "other"]),
                buying_role=rng.choice(["decision_maker", "user", "influencer"]),
                status=rng.choice(["active", "active", "left"]),
            )
            for i in range(rng.randint(0, 5))
        ]
    )
    Relationship.objects.bulk_create(
        [
            Relationship(stakeholder=person, user=owner, strength=rng.randint(1, 5))
            for person in people
            if rng.random() < 0.7
        ]
    )
    year = 2025
    FeeRecord.objects.bulk_create(
        [
            FeeRecord(
                client=client,
                service_line=line,
                financial_year=fy,
                amount=Decimal(rng.randint(0, 90000)),
            )
            for line in lines
            for fy in (year - 1, year, year + 1)
            if rng.random() < 0.5
        ]
    )
    if rng.random() < 0.8:
        plan = AccountPlan.objects.create(client=client, year=2026)
        Action.objects.bulk_create(
            [
                Action(
                    plan=plan,
                    description="Do it",
                    owner=owner,
                    due_date=as_of - datetime.timedelta(days=rng.randint(-30, 120)),
                    status=rng.choice(["open", "done", "dropped"]),
                )
                for _ in range(rng.randint(0, 6))
            ]
        )
    Risk.objects.bulk_create(
        [
            Risk(
                client=client,
                title="Risk",
                category="pricing",
                likelihood=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                status=rng.choice(["open", "closed"]),
            )
            for _ in range(rng.randint(0, 4))
        ]
    )
    for key, low, high in (("client_nps", 0, 10), ("payment_days", 10, 150)):
        for day in rng.sample(range(0, 500), rng.randint(0, 3)):
            Measurement.objects.create(
                client=client,
                measure_key=key,
                value=Decimal(rng.randint(low, high)),
                measured_on=as_of - datetime.timedelta(days=day),
            )


def client_with_team(crp=None, sam=None, **kwargs):
    client = ClientFactory(crp=crp or UserFactory(), **kwargs)
    if sam is not None:
        Assignment.objects.create(client=client, user=sam, role="sam", start_date=datetime.date(2023, 1, 1))
    return client
