"""A small firm with one normal and one confidential client, each with one object of every kind."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Assignment, Client, Notification, Role, ServiceLine, User
from accounts.services_tokens import api_token_create
from audit.models import Kind
from audit.services import audit_record
from feeds.models import FeedRun
from health.models import HealthScore, Measurement, RecomputeJob, Scorecard
from health.services.recompute import current_scorecard
from planning.models import (
    AccountPlan,
    Action,
    CalendarFeed,
    ChecklistItem,
    ClientReview,
    Guideline,
    Objective,
    Opportunity,
    PanelAppointment,
    Risk,
    Transition,
)
from reports.models import Report, SavedView
from stakeholders.models import ImportJob, Interaction, Relationship, Stakeholder
from tests.factories import ClientFactory, FeeRecordFactory, ServiceLineFactory, UserFactory

CONFIDENTIAL_NAME = "Nightjar Secret Holdings"
CONFIDENTIAL_PERSON = "Zebedee Quillfeather"  # a stakeholder of the confidential client


@dataclass
class World:
    users: dict[str, User]
    clients: dict[bool, Client]
    service_line: ServiceLine
    objects: dict[tuple[str, bool], object] = field(default_factory=dict)

    def client(self, confidential: bool) -> Client:
        return self.clients[confidential]

    def obj(self, kind: str, confidential: bool):
        return self.objects[(kind, confidential)]

    def secrets(self) -> list[str]:
        return [CONFIDENTIAL_NAME, CONFIDENTIAL_PERSON]


def build_world() -> World:
    users = {
        "alice": UserFactory(email="alice@firm.example", full_name="Alice Partner", role=Role.PARTNER),
        "bob": UserFactory(email="bob@firm.example", full_name="Bob Outsider", role=Role.PARTNER),
        "carol": UserFactory(email="carol@firm.example", full_name="Carol Bd", role=Role.BD),
        "mike": UserFactory(email="mike@firm.example", full_name="Mike Managing", role=Role.MANAGING_PARTNER),
        "ada": UserFactory(email="ada@firm.example", full_name="Ada Admin", role=Role.ADMIN),
    }
    normal = ClientFactory(name="Harbour Energy plc", crp=users["alice"])
    # The confidential client sits in the open one's group: the group page must not give it away.
    confidential = ClientFactory(name=CONFIDENTIAL_NAME, confidential=True, crp=users["alice"], parent=normal)
    line = ServiceLineFactory(name="Litigation")
    world = World(users=users, clients={False: normal, True: confidential}, service_line=line)
    for flag, client in world.clients.items():
        add_client_objects(world, flag, client)
        add_workflow_objects(world, flag, client)
    add_user_objects(world)
    return world


def add_client_objects(world: World, flag: bool, client: Client) -> None:
    alice = world.users["alice"]
    today = timezone.localdate()
    o = world.objects
    o[("assignment", flag)] = Assignment.objects.create(client=client, user=UserFactory(), role="team")
    o[("fee", flag)] = FeeRecordFactory(client=client, service_line=world.service_line)
    person = Stakeholder.objects.create(
        client=client,
        name=CONFIDENTIAL_PERSON if flag else "Nora Open",
        seniority="board",
        buying_role="decision_maker",
    )
    o[("stakeholder", flag)] = person
    o[("relationship", flag)] = Relationship.objects.create(stakeholder=person, user=alice, strength=3)
    interaction = Interaction.objects.create(client=client, summary="Quarterly catch-up", date=today)
    interaction.firm_attendees.set([alice])
    interaction.stakeholders.set([person])
    o[("interaction", flag)] = interaction
    plan = AccountPlan.objects.create(client=client, year=today.year, status="active")
    o[("plan", flag)] = plan
    o[("objective", flag)] = Objective.objects.create(plan=plan, title="Grow disputes work")
    o[("action", flag)] = Action.objects.create(
        plan=plan, description="Call the GC", owner=alice, due_date=today - datetime.timedelta(days=3)
    )
    o[("opportunity", flag)] = Opportunity.objects.create(
        client=client, service_line=world.service_line, description="Panel review", estimated_fees=Decimal(1000)
    )
    o[("risk", flag)] = Risk.objects.create(client=client, title="Competitor pitch", category="competitor")
    o[("review", flag)] = ClientReview.objects.create(client=client, planned_date=today)
    o[("transition", flag)] = Transition.objects.create(
        client=client,
        outgoing=alice,
        incoming=world.users["mike"],
        reason="succession",
        overlap_start=today,
        overlap_end=today + datetime.timedelta(days=30),
    )
    o[("checklist", flag)] = ChecklistItem.objects.create(client=client, phase="30", text="Meet the GC")
    o[("panel", flag)] = PanelAppointment.objects.create(client=client, panel_name="Legal panel")
    o[("guideline", flag)] = Guideline.objects.create(
        client=client, category="staffing", obligation="No more than 2 partners at meetings"
    )
    o[("measurement", flag)] = Measurement.objects.create(
        client=client, measure_key="client_nps", value=8, measured_on=today
    )
    scorecard = _current_scorecard()
    o[("score", flag)], _ = HealthScore.objects.update_or_create(
        client=client,
        as_of=today,
        defaults={"score": Decimal(55), "coverage": Decimal("0.9"), "band": "amber", "scorecard": scorecard},
    )
    o[("notification", flag)] = Notification.objects.create(
        user=alice, title=f"{client.name} dropped to amber", client=client
    )
    report = Report.objects.create(
        kind="account_review",
        scope={"type": "client", "id": client.pk},
        period_start=today.replace(day=1),
        period_end=today,
        requested_by=alice,
        status="done",
        title=f"Account review: {client.name}",
    )
    report.file.save(f"{report.pk}.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    o[("report", flag)] = report
    o[("saved_view", flag)] = SavedView.objects.create(user=alice, name=f"View {flag}", query=f"q={client.name[:5]}")
    o[("audit_entry", flag)] = audit_record(
        kind=Kind.EXPORT, actor=alice, client=client, summary=f"Exported the stakeholders of {client.name}"
    )
    o[("import_job", flag)] = ImportJob.objects.create(
        kind="stakeholders", created_by=alice, original_name=f"{client.name}.csv", file="imports/x.csv"
    )
    add_listening_objects(world, flag, client, person)
    _add_capture_objects(o, flag, client, alice)
    # Feed runs are their sender's own: the open client's is BD's, the confidential one's a managing partner's.
    sender = world.users["mike" if flag else "carol"]
    o[("feed_run", flag)] = FeedRun.objects.create(kind="fees", created_by=sender, original_name=f"{client.name}.csv")


def add_listening_objects(world: World, flag: bool, client: Client, person: Stakeholder) -> None:
    """One survey for the firm, answered by each client's stakeholder (a detractor: a follow-up)."""
    from listening.models import FollowUp, Incident, Invitation, Programme, Response, Survey
    from listening.services.followups import follow_up_open

    o = world.objects
    today = timezone.localdate()
    if ("survey", False) not in o:
        o[("survey", False)] = Survey.objects.create(
            name="Sweep survey", closes_on=today + datetime.timedelta(days=10), status="open"
        )
        o[("programme", False)] = Programme.objects.create(name="Sweep programme")
    survey = o[("survey", False)]
    invitation = Invitation.objects.create(
        survey=survey,
        client=client,
        stakeholder=person,
        email=f"p{int(flag)}@client.example",
        token_digest=f"{int(flag)}" * 64,
        status="answered",
    )
    response = Response.objects.create(
        invitation=invitation,
        survey=survey,
        client=client,
        stakeholder=person,
        nps=2,
        comment=f"Verbatim about {client.name}",
        submitted_on=today,
        submitted_at=timezone.now(),
    )
    o[("survey_response", flag)] = response
    o[("follow_up", flag)] = follow_up_open(response=response, reason="detractor", actor=None) or FollowUp()
    o[("incident", flag)] = Incident.objects.create(
        client=client,
        title=f"Incident at {client.name}",
        owner=world.users["alice"],
        occurred_on=today,
        severity="critical",
    )


def _add_capture_objects(o: dict, flag: bool, client: Client, alice: User) -> None:
    """A mail domain, a processing-log line and a proposed stakeholder, each naming the client."""
    from capture.models import CapturedMessage, ClientEmailDomain, ReviewItem

    o[("email_domain", flag)] = ClientEmailDomain.objects.create(client=client, domain=f"client{int(flag)}.example")
    CapturedMessage.objects.create(message_id=f"sweep-{flag}", outcome="created", client=client, sender=alice)
    o[("review_item", flag)] = ReviewItem.objects.create(
        kind="proposed_stakeholder", client=client, sender=alice, name=f"Proposed of {client.name}",
        email=f"someone@client{int(flag)}.example",
    )  # fmt: skip


def add_workflow_objects(world: World, flag: bool, client: Client) -> None:
    """A comment, a document with a stored version, a playbook run; a firm channel (once)."""
    from django.contrib.contenttypes.models import ContentType

    from workflow.models import Channel, Comment, Document, DocumentVersion, Playbook, PlaybookRun

    o = world.objects
    alice = world.users["alice"]
    client_type = ContentType.objects.get_for_model(Client)
    o[("comment", flag)] = Comment.objects.create(
        client=client, subject_type=client_type, subject_id=client.pk, author=alice, body=f"About {client.name}"
    )
    document = Document.objects.create(
        client=client, subject_type=client_type, subject_id=client.pk, title=f"{client.name} letter", created_by=alice
    )
    version = DocumentVersion(
        document=document,
        number=1,
        filename=f"{client.name}.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        scan_status="clean",
        uploaded_by=alice,
    )
    version.file.save("letter.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    o[("document", flag)], o[("document_version", flag)] = document, version
    playbook, _ = Playbook.objects.get_or_create(name="Sweep playbook", defaults={"trigger": "detractor"})
    o[("playbook", flag)] = playbook
    PlaybookRun.objects.create(playbook=playbook, client=client, dedupe_key="sweep", title=f"{client.name} detractor")
    if ("channel", False) not in o:
        o[("channel", False)] = Channel.objects.create(name="Firm Slack", kind="slack", url="https://hooks.example/x")


def _current_scorecard() -> Scorecard:
    """The scorecard in force, as the pages look it up. When none is (a transaction=True test emptied
    or changed the table in this database), the latest becomes current, or the default one is made."""
    if not Scorecard.objects.filter(is_current=True).exists():
        latest = Scorecard.objects.order_by("-version").first()
        if latest is not None:
            Scorecard.objects.filter(pk=latest.pk).update(is_current=True)
    return current_scorecard()


def add_user_objects(world: World) -> None:
    world.objects[("scorecard", False)] = Scorecard.objects.order_by("-version").first()
    world.objects[("job", False)] = RecomputeJob.objects.create(
        as_of=timezone.localdate(), reason="sweep", requested_by=world.users["ada"]
    )
    world.objects[("api_token", False)] = api_token_create(actor=world.users["alice"], name="sweep")[0]
    for name, user in world.users.items():
        feed = CalendarFeed.objects.create(user=user, token=f"tok-{name}-0123456789")
        world.objects[(f"calendar:{name}", False)] = feed
