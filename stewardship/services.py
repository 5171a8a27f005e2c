"""Every write of CRP stewardship, each in one audited transaction (history names the actor)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import may_govern_crps, may_see_partner_scorecard, require, visible_clients
from accounts.crp_signals import crp_signals
from accounts.models import Assignment, AssignmentRole, Client, Notification, Role, ServiceLine, User
from accounts.services import assignment_start, audited_write, require_firm_person
from health.portfolio import portfolio_signals
from planning.choices import OPEN_TRANSITION_STATUSES, TransitionReason
from planning.models import Transition
from planning.services.transitions import transition_create, transition_update
from reports.pdf.periods import Quarter
from stewardship.choices import Decision, ProposalStatus, Readiness, SignalKind
from stewardship.models import (
    CapabilityProfile,
    ClientNeeds,
    Credential,
    CrpSignal,
    RotationDecision,
    ScorecardView,
    SignalDecision,
    Succession,
)
from stewardship.selectors.outcomes import signal_figures
from stewardship.selectors.rotation import blockers_of, clashes, handover_window, propose_quarter, stress_of
from stewardship.selectors.signals import live_signals

GOVERN_REFUSED = "CRP decisions are for managing partners and administrators."
PROFILE_REFUSED = "Only the partner themself, a managing partner or an administrator can change this profile."
MAX_WORDS = 30
SIGNALS_SYNCED_KEY = "stewardship:signals-synced:{on}"


# --- signals and decisions ---------------------------------------------------------------------


def signals_sync(*, reader: User, on: datetime.date | None = None) -> int:
    """Record the signals firing on `on` (first seen today if new) and clear those that stopped.
    `reader` must see behind walls; safe to run twice. Returns how many are open."""
    on = on or timezone.localdate()
    live = live_signals(crp_signals(reader, on=on), on)
    keys = {s.key: s for s in live}
    with audited_write(None):
        open_rows = list(CrpSignal.objects.filter(cleared_on__isnull=True).select_for_update().order_by("pk"))
        seen, gone, stale, moved = set(), [], [], []
        for row in open_rows:
            key = (row.kind, row.partner_id, row.client_id)
            if key not in keys:
                gone.append(row.pk)
                continue
            seen.add(key)
            if row.last_seen != on:
                stale.append(row.pk)
            detail = keys[key].detail[:300]
            if row.detail != detail:  # a tenure or workload moved on
                row.detail = detail
                moved.append(row)
        CrpSignal.objects.bulk_update(moved, ["detail"], batch_size=1000)
        CrpSignal.objects.filter(pk__in=stale).update(last_seen=on)
        CrpSignal.objects.filter(pk__in=gone).update(cleared_on=on)
        CrpSignal.objects.bulk_create(
            [
                CrpSignal(
                    kind=s.kind,
                    partner_id=s.partner_id,
                    client_id=s.client_id,
                    detail=s.detail[:300],
                    first_seen=on,
                    last_seen=on,
                )
                for key, s in keys.items()
                if key not in seen
            ],
            ignore_conflicts=True,
        )
    synced = SIGNALS_SYNCED_KEY.format(on=on.isoformat())
    transaction.on_commit(lambda: cache.set(synced, True, timeout=2 * 24 * 3600))
    return len(keys)


def signals_sync_if_not_today(*, reader: User, on: datetime.date) -> None:
    """The overview's fallback for a day the daily round has not reached yet: the page does not
    recompute every partner's signals on each view."""
    if not cache.get(SIGNALS_SYNCED_KEY.format(on=on.isoformat())):
        signals_sync(reader=reader, on=on)


def signal_decide(
    *,
    actor: User,
    signal: CrpSignal,
    decision: str,
    reason: str,
    review_on: datetime.date | None,
    today: datetime.date | None = None,
) -> SignalDecision:
    """Record a managing partner's decision on `signal`, with the score and fee retention it was
    taken on (health.portfolio), so its outcome can be read a quarter later."""
    require(may_govern_crps(actor), GOVERN_REFUSED)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = "Choose one of the decisions offered."
    if not (reason or "").strip():
        errors["reason"] = "Say why: the reason is what the next review reads."
    if review_on is None:
        errors["review_on"] = "Choose the day to review this decision."
    elif review_on <= today:
        errors["review_on"] = "The review date must be after today."
    if errors or review_on is None:
        raise ValidationError(errors)
    figures = signal_figures(portfolio_signals(actor, today=today), signal.partner_id, signal.client_id)
    with audited_write(actor):
        transition = None
        if decision == Decision.TRANSITION and signal.client_id is not None:
            transition = _transition_for(actor=actor, signal=signal, reason=reason.strip(), today=today)
        return SignalDecision.objects.create(
            transition=transition,
            signal=signal,
            decision=decision,
            reason=reason.strip(),
            review_on=review_on,
            decided_by=actor,
            decided_on=today,
            score_then=None if figures.score is None else Decimal(str(figures.score)),
            retention_then=None if figures.retention is None else Decimal(str(figures.retention)),
        )


TRANSITION_REASONS = {
    SignalKind.ROTATION_DUE: TransitionReason.LONG_TENURE,
    SignalKind.NO_SUCCESSOR: TransitionReason.SUCCESSION,
    SignalKind.OVERLOADED: TransitionReason.WORKLOAD,
    SignalKind.TOO_MANY_GROWTH: TransitionReason.WORKLOAD,
    SignalKind.FALLING_ACTIVITY: TransitionReason.DISENGAGEMENT,
}


def _open_transition(client_id: int) -> Transition | None:
    return Transition.objects.filter(client_id=client_id, status__in=OPEN_TRANSITION_STATUSES).first()


def _incoming_for(client: Client) -> User | None:
    """Who a transition hands to: the named successor, else the SAM (the firm's natural successor)."""
    named = Succession.objects.filter(client=client).select_related("successor").first()
    if named is not None:
        return named.successor
    sam = Assignment.objects.filter(client=client, role=AssignmentRole.SAM, end_date__isnull=True).first()
    return sam.user if sam else None


def _transition_for(*, actor: User, signal: CrpSignal, reason: str, today: datetime.date) -> Transition:
    """The transition record a "transition" decision on a client's signal stands for: the one
    already under way, else a new one to the named successor (or SAM) with its handover in the
    quarter the rotation calendar proposes (clear of renewals and client stress)."""
    assert signal.client is not None
    client = signal.client
    found = _open_transition(client.pk)
    if found is not None:
        return found
    incoming = _incoming_for(client)
    if incoming is None:
        missing = f"{client.name} has no named successor or SAM to hand to"
        raise ValidationError({"decision": f"{missing}: name a successor from its shortlist first."})
    quarter, _ = propose_quarter(today, blockers_of([client.pk])[client.pk], stress_of([client.pk], today)[client.pk])
    if quarter is None:
        raise ValidationError(
            {"decision": "No quarter in the next two years is clear of renewals: plan it from the rotation calendar."}
        )
    overlap_start, overlap_end = handover_window(quarter)
    return transition_create(
        actor=actor,
        client=client,
        incoming=incoming,
        reason=TRANSITION_REASONS.get(SignalKind(signal.kind), TransitionReason.SUCCESSION),
        overlap_start=overlap_start,
        overlap_end=overlap_end,
        notes=f"Decided on the signal “{signal.get_kind_display()}” for {quarter}: {reason}",
    )


def _governors() -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.MANAGING_PARTNER]) | Q(is_superuser=True))
        .order_by("pk")
    )


def signals_escalate(*, on: datetime.date | None = None) -> int:
    """Tell the managing partners (once) about each signal left undecided past the policy's limit."""
    on = on or timezone.localdate()
    limit = on - datetime.timedelta(days=settings.CRP_SIGNAL_DECISION_DAYS)
    stale = list(
        CrpSignal.objects.filter(cleared_on__isnull=True, escalated_on__isnull=True, first_seen__lte=limit)
        .filter(decisions__isnull=True)
        .select_related("client", "partner")
        .order_by("pk")
    )
    if not stale:
        return 0
    governors = _governors()
    notes = []
    for signal in stale:
        about = signal.client.name if signal.client else signal.partner.full_name
        for person in governors:
            notes.append(
                Notification(
                    user=person,
                    title=f"Undecided CRP signal: {signal.get_kind_display()} ({about})",
                    body=f"First seen {signal.first_seen:%d %b %Y}, no decision after "
                    f"{settings.CRP_SIGNAL_DECISION_DAYS} days. {signal.detail}",
                    url="/stewardship/",
                    client=signal.client,
                    dedupe_key=f"crp-signal-escalated:{signal.pk}",
                )
            )
    with audited_write(None):
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
        CrpSignal.objects.filter(pk__in=[s.pk for s in stale]).update(escalated_on=on)
    return len(stale)


# --- rotation --------------------------------------------------------------------------------


def _current_crp(client: Client) -> Assignment | None:
    return Assignment.objects.filter(client=client, role=AssignmentRole.CRP, end_date__isnull=True).first()


def rotation_decide(
    *,
    actor: User,
    client: Client,
    status: str,
    quarter: Quarter | None,
    reason: str,
    incoming: User | None = None,
    today: datetime.date | None = None,
) -> RotationDecision:
    """Accept (opening the transition record, with the policy's overlap), move or decline the
    rotation proposed for `client`, with a reason. An accepted or moved quarter must start after
    this one and keep the handover clear of the client's re-tenders and rate reviews."""
    require(may_govern_crps(actor), GOVERN_REFUSED)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if status not in ProposalStatus.values:
        errors["status"] = "Accept, move or decline."
    if not (reason or "").strip():
        errors["reason"] = "Say why."
    if status in (ProposalStatus.ACCEPTED, ProposalStatus.MOVED):
        if quarter is None:
            errors["quarter"] = "Choose a quarter, e.g. 2027-Q2."
        elif quarter.start <= today:
            errors["quarter"] = "Choose a quarter that has not started yet."
        else:
            found = clashes(quarter, blockers_of([client.pk])[client.pk])
            if found:
                what = "; ".join(f"{b.what} on {b.day:%d %b %Y}" for b in found)
                errors["quarter"] = f"A handover in {quarter} would fall in a renewal window: {what}."
    if status == ProposalStatus.ACCEPTED and incoming is None:
        errors["incoming"] = "Choose the incoming CRP."
    crp = _current_crp(client)
    if crp is None:
        errors["status"] = "This client has no current CRP to rotate."
    if errors:
        raise ValidationError(errors)
    assert crp is not None
    with audited_write(actor):
        transition = _open_transition(client.pk) if status == ProposalStatus.ACCEPTED else None
        if transition is not None and quarter is not None:
            # A transition already under way (a "transition" decision on a signal): its handover
            # moves to the quarter accepted here.
            overlap_start, overlap_end = handover_window(quarter)
            wanted = {"overlap_start": overlap_start, "overlap_end": overlap_end, "incoming": incoming}
            changes = {k: v for k, v in wanted.items() if v is not None and getattr(transition, k) != v}
            if changes:
                if "incoming" in changes:
                    require_firm_person(incoming, client, "incoming")
                transition = transition_update(
                    actor=actor, transition=transition, expected_version=transition.version, **changes
                )
        if status == ProposalStatus.ACCEPTED and transition is None:
            assert incoming is not None and quarter is not None
            require_firm_person(incoming, client, "incoming")
            overlap_start, overlap_end = handover_window(quarter)
            transition = transition_create(
                actor=actor,
                client=client,
                incoming=incoming,
                reason=TransitionReason.LONG_TENURE,
                overlap_start=overlap_start,
                overlap_end=overlap_end,
                notes=f"Rotation accepted for {quarter}: {reason.strip()}",
            )
        return RotationDecision.objects.create(
            client=client,
            outgoing_id=crp.user_id,
            status=status,
            quarter_start=quarter.start if quarter else today,
            reason=reason.strip(),
            transition=transition,
            decided_by=actor,
            decided_on=today,
        )


# --- succession, profiles, needs ---------------------------------------------------------------


def succession_set(
    *, actor: User, client: Client, successor: User | None, readiness: str, development_actions: str = ""
) -> Succession:
    """Name `successor` for `client` (never someone walled off from it), with their readiness."""
    require(may_govern_crps(actor), GOVERN_REFUSED)
    if readiness not in Readiness.values:
        raise ValidationError({"readiness": "Choose ready now, within 2 years or not yet."})
    require_firm_person(successor, client, "successor")
    assert successor is not None  # required above
    crp = _current_crp(client)
    if crp is not None and crp.user_id == successor.pk:
        raise ValidationError({"successor": f"{successor} is already the CRP."})
    with audited_write(actor):
        found, _ = Succession.objects.update_or_create(
            client=client,
            defaults={
                "successor": successor,
                "readiness": readiness,
                "development_actions": development_actions.strip(),
                "updated_by": actor,
            },
        )
        # The firm's successor is the SAM (accounts.crp_signals): a client without one gets the
        # named successor as its SAM; a SAM already in place stays.
        has_sam = Assignment.objects.filter(client=client, role=AssignmentRole.SAM, end_date__isnull=True).exists()
        on_team = Assignment.objects.filter(client=client, user=successor, end_date__isnull=True).exists()
        if not has_sam and not on_team:
            assignment_start(actor=actor, client=client, user=successor, role=AssignmentRole.SAM)
    return found


def _words(values: Iterable[str], field: str) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        value = " ".join(value.split())
        if not value:
            continue
        if len(value) > 100:
            raise ValidationError({field: "Each entry can be at most 100 characters."})
        if value.lower() not in {v.lower() for v in cleaned}:
            cleaned.append(value)
    if len(cleaned) > MAX_WORDS:
        raise ValidationError({field: f"At most {MAX_WORDS} entries."})
    return cleaned


def profile_save(
    *,
    actor: User,
    partner: User,
    sectors: Iterable[str],
    languages: Iterable[str],
    jurisdictions: Iterable[str],
    service_lines: Iterable[ServiceLine],
    persona_strengths: Iterable[str],
) -> CapabilityProfile:
    require(may_see_partner_scorecard(actor, partner), PROFILE_REFUSED)
    values = {
        "sectors": _words(sectors, "sectors"),
        "languages": _words(languages, "languages"),
        "jurisdictions": _words(jurisdictions, "jurisdictions"),
        "persona_strengths": sorted(set(persona_strengths)),
    }
    with audited_write(actor):
        profile, _ = CapabilityProfile.objects.update_or_create(user=partner, defaults=values)
        profile.service_lines.set(list(service_lines))
    return profile


def credential_add(
    *,
    actor: User,
    partner: User,
    name: str,
    obtained_on: datetime.date | None,
    expires_on: datetime.date | None,
) -> Credential:
    require(may_see_partner_scorecard(actor, partner), PROFILE_REFUSED)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Name the credential."})
    if obtained_on and expires_on and expires_on <= obtained_on:
        raise ValidationError({"expires_on": "A credential expires after it was obtained."})
    if Credential.objects.filter(user=partner, name__iexact=name).exists():
        raise ValidationError({"name": "This partner already holds a credential of that name."})
    with audited_write(actor):
        return Credential.objects.create(user=partner, name=name, obtained_on=obtained_on, expires_on=expires_on)


def credential_remove(*, actor: User, credential: Credential) -> None:
    require(may_see_partner_scorecard(actor, credential.user), PROFILE_REFUSED)
    with audited_write(actor):
        credential.delete()


def needs_save(
    *,
    actor: User,
    client: Client,
    languages: Iterable[str],
    required_credentials: Iterable[str],
    competitors: Iterable[Client],
) -> ClientNeeds:
    require(may_govern_crps(actor), GOVERN_REFUSED)
    chosen = list(competitors)
    visible = set(visible_clients(actor).filter(pk__in=[c.pk for c in chosen]).values_list("pk", flat=True))
    if any(c.pk not in visible for c in chosen):
        raise ValidationError({"competitors": "Choose competitors from the clients listed."})
    if any(c.pk == client.pk for c in chosen):
        raise ValidationError({"competitors": "A client cannot be its own competitor."})
    values = {
        "languages": _words(languages, "languages"),
        "required_credentials": _words(required_credentials, "required_credentials"),
    }
    with audited_write(actor):
        needs, _ = ClientNeeds.objects.update_or_create(client=client, defaults=values)
        needs.competitors.set(chosen)
    return needs


# --- reminders and the audit of scorecard views ------------------------------------------------


def credentials_remind(*, on: datetime.date | None = None) -> int:
    """Notify each holder of a credential lapsing within `CREDENTIAL_REMINDER_DAYS`: once per
    credential and expiry date, however often it runs. Returns the notifications written."""
    on = on or timezone.localdate()
    until = on + datetime.timedelta(days=settings.CREDENTIAL_REMINDER_DAYS)
    lapsing = Credential.objects.filter(expires_on__gt=on, expires_on__lte=until, user__is_active=True).order_by("pk")
    notes = [
        Notification(
            user_id=c.user_id,
            title=f"Your credential “{c.name}” lapses on {c.expires_on:%d %b %Y}",
            body="Renew it before it lapses: clients that require it will not be matched to you after that day.",
            url=f"/stewardship/partners/{c.user_id}/profile/",
            dedupe_key=f"credential-expiry:{c.pk}:{c.expires_on.isoformat()}",
        )
        for c in lapsing
        if c.expires_on is not None
    ]
    sent = set(
        Notification.objects.filter(dedupe_key__in=[n.dedupe_key for n in notes]).values_list("user_id", "dedupe_key")
    )
    fresh = [n for n in notes if (n.user_id, n.dedupe_key) not in sent]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def scorecard_view_record(*, viewer: User, partner: User, quarter: Quarter) -> ScorecardView | None:
    """Record that `viewer` opened `partner`'s scorecard; one's own views are not recorded."""
    if viewer.pk == partner.pk:
        return None
    return ScorecardView.objects.create(viewer=viewer, partner=partner, quarter=quarter.code)
