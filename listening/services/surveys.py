"""Defining surveys, choosing recipients, sending (a Celery task per batch) and reminding once."""

from __future__ import annotations

import datetime
import email.headerregistry
import email.policy
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape

from accounts.access import editable_clients, sees_all_open_clients
from accounts.models import Client, User
from accounts.services import audited_write
from core.queueing import send_task_on_commit
from listening import links
from listening.models import (
    ClientListening,
    Invitation,
    InvitationStatus,
    Suppression,
    Survey,
    SurveyStatus,
)
from stakeholders.models import Stakeholder, StakeholderStatus

MAX_QUESTIONS = 3
QUESTION_MAX_LENGTH = 300


def may_send_surveys(user: User) -> bool:
    """BD defines and sends surveys; so may managing partners and administrators."""
    return sees_all_open_clients(user)


def _clean_questions(questions: Iterable[str]) -> list[str]:
    cleaned = [q.strip() for q in questions if q and q.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError({"questions": f"At most {MAX_QUESTIONS} free-text questions."})
    for question in cleaned:
        if len(question) > QUESTION_MAX_LENGTH:
            raise ValidationError({"questions": f"Keep each question under {QUESTION_MAX_LENGTH} characters."})
    return cleaned


def survey_create(
    *,
    actor: User | None,
    name: str,
    closes_on: datetime.date,
    intro: str = "",
    asks_nps: bool = True,
    asks_csat: bool = False,
    asks_ces: bool = False,
    questions: Iterable[str] = (),
    programme_id: int | None = None,
) -> Survey:
    if actor is not None and not may_send_surveys(actor):
        raise ValidationError("Surveys are defined by business development, managing partners and administrators.")
    if not (asks_nps or asks_csat or asks_ces):
        raise ValidationError({"asks_nps": "Ask at least one of NPS, CSAT or CES."})
    if closes_on <= timezone.localdate():
        raise ValidationError({"closes_on": "The survey must close after today."})
    survey = Survey(
        name=name.strip(),
        intro=intro.strip(),
        asks_nps=asks_nps,
        asks_csat=asks_csat,
        asks_ces=asks_ces,
        questions=_clean_questions(questions),
        closes_on=closes_on,
        created_by=actor,
        programme_id=programme_id,
    )
    survey.full_clean(validate_constraints=False)
    with audited_write(actor):
        survey.save()
    return survey


@dataclass
class InviteReport:
    invited: int = 0
    left_out: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        text = f"{self.invited} invited"
        if self.left_out:
            text += "; left out: " + ", ".join(f"{n} {reason}" for reason, n in sorted(self.left_out.items()))
        return text + "."


def no_survey_client_ids(client_ids: Iterable[int]) -> set[int]:
    return set(
        ClientListening.objects.filter(client_id__in=list(client_ids), no_surveys=True).values_list(
            "client_id", flat=True
        )
    )


def suppressed_digests(emails: Iterable[str]) -> set[str]:
    digests = {links.email_digest(email) for email in emails if email}
    return set(Suppression.objects.filter(email_digest__in=digests).values_list("email_digest", flat=True))


def why_not_surveyed(
    person: Stakeholder, *, no_survey_clients: set[int], suppressed: set[str], closed: bool = False
) -> str:
    """Why `person` may not be sent a survey ("" when they may): the one home of the rule."""
    if closed:
        return "closed survey"
    if person.client_id in no_survey_clients:
        return "client asked for no surveys"
    if person.status != StakeholderStatus.ACTIVE:
        return "no longer at the client"
    if not person.email:
        return "without an email address"
    try:
        validate_email(person.email)
    except ValidationError:
        return "with an invalid email address"
    if links.email_digest(person.email) in suppressed:
        return "opted out or bounced"
    return ""


def survey_invite(*, actor: User, survey: Survey, stakeholders: Sequence[Stakeholder]) -> InviteReport:
    """Add recipients to a draft or open survey. People who may not be surveyed are counted, not added;
    a stakeholder of a client `actor` may not edit is refused as unknown."""
    if not may_send_surveys(actor):
        raise ValidationError("Surveys are sent by business development, managing partners and administrators.")
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError({"survey": "This survey has closed."})
    allowed = set(
        editable_clients(actor).filter(pk__in={s.client_id for s in stakeholders}).values_list("pk", flat=True)
    )
    if any(s.client_id not in allowed for s in stakeholders):
        raise ValidationError({"stakeholders": "Choose stakeholders of clients you may survey."})
    with audited_write(actor):
        return invitations_add(survey=survey, stakeholders=stakeholders)


def invitations_add(*, survey: Survey, stakeholders: Sequence[Stakeholder]) -> InviteReport:
    """Add the recipients who may be surveyed (checked by the caller: a person, or a programme)."""
    report = InviteReport()
    already = set(survey.invitations.values_list("stakeholder_id", flat=True))
    no_survey = no_survey_client_ids({s.client_id for s in stakeholders})
    suppressed = suppressed_digests(s.email for s in stakeholders)
    new = []
    for person in stakeholders:
        if person.pk in already:
            report.left_out["already invited"] += 1
            continue
        reason = why_not_surveyed(person, no_survey_clients=no_survey, suppressed=suppressed)
        if reason:
            report.left_out[reason] += 1
            continue
        already.add(person.pk)
        new.append(
            Invitation(
                survey=survey,
                client_id=person.client_id,
                stakeholder=person,
                email=person.email.strip(),
                token_digest=links.new_secret()[1],  # replaced by the emailed link's when sent
            )
        )
    with transaction.atomic():
        Invitation.objects.bulk_create(new)
        report.invited = len(new)
        if survey.status == SurveyStatus.OPEN and new:
            _queue_batches(survey, [i.pk for i in new])
    return report


def survey_send(*, actor: User | None, survey: Survey) -> int:
    """Open the survey and queue its waiting invitations, a Celery task per batch. Returns how many."""
    if actor is not None and not may_send_surveys(actor):
        raise ValidationError("Surveys are sent by business development, managing partners and administrators.")
    if survey.status == SurveyStatus.CLOSED or survey.closes_on <= timezone.localdate():
        raise ValidationError({"survey": "This survey has closed."})
    waiting = list(
        survey.invitations.filter(status=InvitationStatus.QUEUED).order_by("pk").values_list("pk", flat=True)
    )
    if not waiting:
        raise ValidationError({"survey": "Add recipients first."})
    with audited_write(actor):
        Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.OPEN)
        survey.status = SurveyStatus.OPEN
        _queue_batches(survey, waiting)
    return len(waiting)


def _queue_batches(survey: Survey, ids: list[int]) -> None:
    from listening.tasks import send_invitations

    size = settings.LISTENING_SEND_BATCH
    for start in range(0, len(ids), size):
        send_task_on_commit(send_invitations, ids[start : start + size])


def response_url(invitation_id: int, secret: str) -> str:
    return settings.SITE_URL + reverse("survey-respond", args=[links.respond_token(invitation_id, secret)])


def unsubscribe_url(invitation_id: int) -> str:
    return settings.SITE_URL + reverse("survey-unsubscribe", args=[links.unsubscribe_token(invitation_id)])


class _FoldsOnce:
    """A header folds to the same text under the same policy settings: keep the text. Headers are
    immutable, and the ones every message of a batch shares are made once (below), so each is
    folded once per batch instead of once per message."""

    def fold(self, *, policy: Any) -> str:
        key = (policy.max_line_length, policy.linesep, policy.utf8)
        folded: dict[tuple[Any, ...], str] = self.__dict__.setdefault("_folded", {})
        if key not in folded:
            folded[key] = super().fold(policy=policy)  # type: ignore[misc]
        return folded[key]


# Headers whose value is the same in many messages (the From, a client's Subject, a part's
# Content-Type): parsed once. The others (To, Date, Message-ID, the multipart boundary, the
# unsubscribe link) differ in every message and are parsed as usual.
SHARED_HEADERS = frozenset(
    {"subject", "from", "mime-version", "content-type", "content-transfer-encoding", "list-unsubscribe-post"}
)
SHARED_HEADERS_KEPT = 2000


class _HeaderClasses(email.headerregistry.HeaderRegistry):
    """The standard registry builds a new header class on every lookup, and parses every header of
    every message; the classes are the same each time, and so are most headers of a batch, so each
    class is built once and each shared header made once."""

    def __init__(self) -> None:
        super().__init__()
        self._built: dict[str, type] = {}
        self._made: dict[tuple[str, str], Any] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._built:
            self._built[key] = type("_Once" + key, (_FoldsOnce, super().__getitem__(name)), {})
        return self._built[key]

    def __call__(self, name: str, value: Any) -> Any:
        key = name.lower()
        if key not in SHARED_HEADERS or not isinstance(value, str) or "boundary=" in value:
            return self[name](name, value)
        header = self._made.get((name, value))
        if header is None:
            if len(self._made) >= SHARED_HEADERS_KEPT:
                self._made.clear()
            header = self._made[(name, value)] = self[name](name, value)
        return header


UNFOLDED = email.policy.default.clone(max_line_length=998, header_factory=_HeaderClasses())


class SurveyEmail(EmailMultiAlternatives):
    """Header lines are not folded: a long List-Unsubscribe URL has no place to fold, and the email
    package would otherwise turn it into an encoded word that mail providers cannot follow. RFC 5322
    allows lines of up to 998 characters."""

    def message(self, *, policy: Any = None) -> Any:
        return super().message(
            policy=UNFOLDED if policy in (None, email.policy.default) else policy.clone(max_line_length=998)
        )


class EmailBodies:
    """The survey email's text and HTML bodies for every recipient of one survey: each template is
    rendered once, with markers where the recipient's own parts go (their name, their client, their
    two links), and each recipient's copy fills the markers in, escaped for HTML as the template
    would have. The result is the same text `render_to_string` gives for that recipient."""

    TEMPLATES = {"text": "listening/email/invitation.txt", "html": "listening/email/invitation.html"}
    PARTS = ("name", "client", "link", "unsubscribe")

    def __init__(self, survey: Survey, *, reminder: bool = False) -> None:
        self.survey, self.reminder = survey, reminder
        self.nonce = secrets.token_hex(8)
        self.markers = {part: f"\x00{self.nonce}:{part}\x00" for part in self.PARTS}
        self._rendered: dict[bool, dict[str, list[str]]] = {}
        self._routes: dict[str, tuple[str, ...]] = {}

    def url(self, name: str, token: str) -> str:
        """SITE_URL + reverse(name, args=[token]), resolving the route once per batch: a token holds only
        letters, digits, "-", "_" and ":", which the path takes as they are."""
        if name not in self._routes:
            self._routes[name] = tuple(reverse(name, args=[self.nonce]).split(self.nonce))
        before, after = self._routes[name]
        return f"{settings.SITE_URL}{before}{token}{after}"

    def _pieces(self, named: bool) -> dict[str, list[str]]:
        """Each template cut at its markers: literal text at even places, the name of the recipient's
        part that goes there at odd places."""
        if named not in self._rendered:
            context = {
                "firm": settings.FIRM_NAME,
                "survey": self.survey,
                "reminder": self.reminder,
                **{part: marker for part, marker in self.markers.items()},
            }
            if not named:
                context["name"] = ""
            self._rendered[named] = {
                kind: self._split(render_to_string(template, context)) for kind, template in self.TEMPLATES.items()
            }
        return self._rendered[named]

    def _split(self, text: str) -> list[str]:
        pattern = "(" + "|".join(re.escape(marker) for marker in self.markers.values()) + ")"
        by_marker = {marker: part for part, marker in self.markers.items()}
        return [by_marker.get(piece, piece) if i % 2 else piece for i, piece in enumerate(re.split(pattern, text))]

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(text, html) for one recipient."""
        pieces = self._pieces(bool(values["name"]))
        text = "".join(piece if i % 2 == 0 else values[piece] for i, piece in enumerate(pieces["text"]))
        html = "".join(
            piece if i % 2 == 0 else conditional_escape(values[piece]) for i, piece in enumerate(pieces["html"])
        )
        return text, html


def build_email(
    invitation: Invitation, secret: str, *, reminder: bool = False, bodies: EmailBodies | None = None
) -> EmailMultiAlternatives:
    """The survey email: personal link, the firm's intro, and one-click unsubscribe headers (RFC 8058).
    A batch passes one `bodies` for its survey, so its templates are rendered once."""
    survey = invitation.survey
    if bodies is None or bodies.survey.pk != survey.pk or bodies.reminder != reminder:
        bodies = EmailBodies(survey, reminder=reminder)
    unsubscribe = bodies.url("survey-unsubscribe", links.unsubscribe_token(invitation.pk))
    text, html = bodies.render(
        {
            "name": invitation.stakeholder.name if invitation.stakeholder else "",
            "client": invitation.client.name,
            "link": bodies.url("survey-respond", links.respond_token(invitation.pk, secret)),
            "unsubscribe": unsubscribe,
        }
    )
    subject = f"{settings.FIRM_NAME}: how are we doing for {invitation.client.name}?"
    message = SurveyEmail(
        subject=("Reminder – " if reminder else "") + subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(html, "text/html")
    return message


def invitations_send(*, invitation_ids: Sequence[int]) -> int:
    """Send the still-queued invitations among `invitation_ids`: safe to run twice (a recipient is
    emailed once), rows locked in id order and skipped when another worker holds them.

    Cost per batch: 3 queries (lock and read, suppressions, one bulk update) and one SMTP session."""
    with transaction.atomic():
        rows = list(
            Invitation.objects.filter(pk__in=list(invitation_ids), status=InvitationStatus.QUEUED)
            .select_related("survey", "client", "stakeholder")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        if not rows:
            return 0
        suppressed = suppressed_digests(r.email for r in rows)
        no_survey = no_survey_client_ids({r.client_id for r in rows})
        now = timezone.now()
        messages, sent = [], []
        bodies: dict[int, EmailBodies] = {}
        for invitation in rows:
            if (
                not invitation.email
                or links.email_digest(invitation.email) in suppressed
                or invitation.client_id in no_survey
                or invitation.survey.status != SurveyStatus.OPEN
            ):
                invitation.status = InvitationStatus.SUPPRESSED
                continue
            secret, invitation.token_digest = links.new_secret()
            invitation.status, invitation.sent_at = InvitationStatus.SENT, now
            if invitation.survey_id not in bodies:
                bodies[invitation.survey_id] = EmailBodies(invitation.survey)
            messages.append(build_email(invitation, secret, bodies=bodies[invitation.survey_id]))
            sent.append(invitation)
        _invitations_mark(rows)
        # Sent inside the transaction: if delivery fails the rows stay queued for the retry.
        if messages:
            mailers.default.send_messages(messages)
    return len(sent)


def _invitations_mark(rows: Sequence[Invitation]) -> None:
    """Write each row's status, sent time and link digest in one statement (`bulk_update` builds a
    CASE per field per row, which costs more than the rendering it accompanies)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE listening_invitation AS i "
            "SET status = v.status, sent_at = v.sent_at, token_digest = v.token_digest "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::timestamptz[], %s::varchar[]) "
            "AS v(id, status, sent_at, token_digest) WHERE i.id = v.id",
            [
                [r.pk for r in rows],
                [str(r.status) for r in rows],
                [r.sent_at for r in rows],
                [r.token_digest for r in rows],
            ],
        )


def invitations_remind(*, today: datetime.date | None = None) -> int:
    """Remind, once, those who have not answered an open survey after LISTENING_REMINDER_AFTER_DAYS."""
    today = today or timezone.localdate()
    cutoff = timezone.now() - datetime.timedelta(days=settings.LISTENING_REMINDER_AFTER_DAYS)
    total = 0
    with transaction.atomic():
        rows = list(
            Invitation.objects.filter(
                status=InvitationStatus.SENT,
                reminded_at__isnull=True,
                sent_at__lte=cutoff,
                survey__status=SurveyStatus.OPEN,
                survey__closes_on__gt=today,
            )
            .select_related("survey", "client", "stakeholder")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")[:1000]
        )
        suppressed = suppressed_digests(r.email for r in rows)
        no_survey = no_survey_client_ids({r.client_id for r in rows})
        messages = []
        now = timezone.now()
        bodies: dict[int, EmailBodies] = {}
        for invitation in rows:
            invitation.reminded_at = now  # once, whether or not it could be sent
            if links.email_digest(invitation.email) in suppressed or invitation.client_id in no_survey:
                continue
            secret, invitation.token_digest = links.new_secret()
            if invitation.survey_id not in bodies:
                bodies[invitation.survey_id] = EmailBodies(invitation.survey, reminder=True)
            messages.append(build_email(invitation, secret, reminder=True, bodies=bodies[invitation.survey_id]))
        Invitation.objects.bulk_update(rows, ["reminded_at", "token_digest"])
        if messages:
            mailers.default.send_messages(messages)
        total = len(messages)
    return total


def surveys_close_due(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    return Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__lte=today).update(status=SurveyStatus.CLOSED)


def survey_close(*, actor: User, survey: Survey) -> Survey:
    if not may_send_surveys(actor):
        raise ValidationError("Surveys are closed by business development, managing partners and administrators.")
    with audited_write(actor):
        survey.status = SurveyStatus.CLOSED
        survey.save(update_fields=["status"])
    return survey


def client_no_surveys_set(*, actor: User, client: Client, no_surveys: bool) -> ClientListening:
    """The per-client "no surveys" switch: while on, nobody at the client is sent a survey."""
    if not editable_clients(actor).filter(pk=client.pk).exists():
        raise ValidationError({"client": "Unknown client."})
    with audited_write(actor):
        setting, _ = ClientListening.objects.update_or_create(
            client=client, defaults={"no_surveys": no_surveys, "changed_by": actor}
        )
        if no_surveys:
            Invitation.objects.filter(client=client, status=InvitationStatus.QUEUED).update(
                status=InvitationStatus.SUPPRESSED
            )
    return setting


def suppress(*, email: str, reason: str) -> None:
    Suppression.objects.get_or_create(email_digest=links.email_digest(email), defaults={"reason": reason})


def invitation_opt_out(*, invitation: Invitation) -> None:
    """ "Don't ask me again": the address is never surveyed again, whoever holds it."""
    with transaction.atomic():
        if invitation.email:
            suppress(email=invitation.email, reason=Suppression.Reason.OPTED_OUT)
        Invitation.objects.filter(email__iexact=invitation.email, status=InvitationStatus.QUEUED).exclude(
            email=""
        ).update(status=InvitationStatus.SUPPRESSED)


def bounces_record(*, emails: Iterable[str]) -> int:
    """Addresses the mail provider reported as bounced: their invitations are marked, never resent."""
    cleaned = {e.strip().lower() for e in emails if e and e.strip()}
    now = timezone.now()
    with transaction.atomic():
        for email in cleaned:
            suppress(email=email, reason=Suppression.Reason.BOUNCED)
        marked = 0
        for email in cleaned:
            marked += Invitation.objects.filter(
                email__iexact=email, status__in=[InvitationStatus.QUEUED, InvitationStatus.SENT]
            ).update(status=InvitationStatus.BOUNCED, bounced_at=now)
    return marked
