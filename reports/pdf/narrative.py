"""Generated sentences: bottom line first, active voice, at most twenty words each."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from accounts.selectors import fee_period
from reports.pdf.data import ClientData, ReportData
from reports.pdf.periods import Quarter
from reports.pdf.text import day, money, plural, short

BAND_WORDS = {"green": "green", "amber": "amber", "red": "red", "insufficient": "unscored"}


def movement(before: int | None, after: int | None, since: Quarter) -> str:
    """'down from 72 to 58 since Q2 2026' — how every changed figure is phrased."""
    if before is None or after is None:
        return ""
    if after == before:
        return f"unchanged since {since}"
    direction = "up" if after > before else "down"
    return f"{direction} from {before} to {after} since {since}"


def score_sentence(client: ClientData, quarter: Quarter) -> str:
    if client.score is None or client.score.rounded is None:
        return f"{client.name} has no health score yet, so its band is unknown."
    text = f"{client.name} scores {client.score.rounded}, {BAND_WORDS[client.band]}"
    change = movement(
        client.previous_score and client.previous_score.rounded,
        client.score.rounded,
        quarter.previous,
    )
    return f"{text}, {change}." if change else f"{text}, its first score."


def risk_sentence(client: ClientData) -> str:
    if not client.risks:
        if "risks" in client.history_starts:
            return f"No risk history is recorded before {day(client.history_starts['risks'])}."
        return "The team has recorded no open risks."
    risk = client.risks[0]
    return f"The biggest risk is “{short(risk.title)}”, rated {risk.severity} out of 25."


def incident_sentence(client: ClientData) -> str | None:
    """An open critical incident or complaint outranks the biggest risk on page one."""
    if not client.open_critical_incidents:
        return None
    title, since = client.open_critical_incidents[0]
    more = len(client.open_critical_incidents) - 1
    text = f"A critical incident is open since {day(since)}: “{short(title)}”"
    return text + (f", and {plural(more, 'other', 'others')}." if more else ".")


def opportunity_sentence(client: ClientData) -> str:
    if not client.opportunities:
        if "opportunities" in client.history_starts:
            return f"No pipeline history is recorded before {day(client.history_starts['opportunities'])}."
        return "The team has recorded no open opportunities."
    best = client.opportunities[0]
    worth = money(best.weighted_value)
    return f"The biggest opportunity is “{short(best.description)}”, worth {worth} weighted."


def coverage_sentence(client: ClientData) -> str:
    if not client.key_people and "stakeholders" in client.history_starts:
        return f"No stakeholder map history is recorded before {day(client.history_starts['stakeholders'])}."
    if not client.key_people:
        return "The stakeholder map names no board members or decision-makers yet."
    if not client.coverage_gaps:
        return f"The firm knows all {client.key_people} senior decision-makers well."
    return f"Nobody at the firm knows {len(client.coverage_gaps)} of {client.key_people} senior decision-makers well."


def ask_sentence(client: ClientData) -> str:
    """The decision or action asked of the reader."""
    crp = client.crp or "the CRP"
    if client.band == "red":
        return f"Action: agree a recovery plan with {crp} this month."
    if client.review_overdue:
        return f"Action: ask {crp} to hold the overdue client review this quarter."
    if client.coverage_gaps:
        return "Action: name a senior owner for each uncovered decision-maker."
    if client.overdue_actions:
        overdue = plural(len(client.overdue_actions), "overdue action")
        return f"Action: ask {crp} to clear the {overdue}."
    if client.score is None:
        return "Action: record the data the health score needs."
    return "Action: keep the plan and review again next quarter."


def client_key_messages(client: ClientData, quarter: Quarter) -> list[str]:
    return [
        score_sentence(client, quarter),
        incident_sentence(client) or risk_sentence(client),
        opportunity_sentence(client),
        coverage_sentence(client),
        ask_sentence(client),
    ]


def fee_sentence(client: ClientData) -> str:
    """Fees of the last complete year against the year before: a year still running is never
    compared with a whole one."""
    fees = client.fees
    year, before = fees.period.year, fees.period.previous
    if not fees.any:
        return "The firm has recorded no fees for this client in three years."
    if not fees.amount and not fees.previous:
        return f"The firm recorded no fees in FY{year} or FY{before}, the last complete years."
    if fees.change is None:
        return f"Fees were {money(fees.amount)} in FY{year}, the last complete year."
    direction = "up" if fees.change >= 0 else "down"
    return f"Fees were {money(fees.amount)} in FY{year}, {direction} {abs(fees.change):.0f}% on FY{before}."


def fees_to_date_sentence(client: ClientData) -> str | None:
    if not client.fees.to_date:
        return None
    running = client.fees.period.running
    return f"FY{running} is still running: {money(client.fees.to_date)} billed so far."


def pipeline_sentence(client: ClientData) -> str:
    if not client.opportunities:
        return "The pipeline holds no open opportunities."
    return (
        f"The pipeline holds {plural(len(client.opportunities), 'opportunity', 'opportunities')} "
        f"worth {money(client.pipeline_total)}, or {money(client.pipeline_weighted)} weighted."
    )


def contact_sentence(client: ClientData, quarter: Quarter) -> str:
    return (
        f"Touchpoints: {client.interactions} in {quarter} ({client.previous_interactions} in "
        f"{quarter.previous}), {client.interactions_last_year} in 12 months against a target of "
        f"{client.contact_target} a year."
    )


def plan_sentence(client: ClientData) -> str:
    if client.plan is None:
        return "The client has no active account plan."
    overdue = len(client.overdue_actions)
    text = f"The plan has {client.actions_done} of {client.actions_total} actions done"
    if overdue:
        return f"{text}; {overdue} {'is' if overdue == 1 else 'are'} overdue."
    return f"{text}; none are overdue."


def review_sentence(client: ClientData) -> str:
    if client.last_review is None:
        return "The team has held no client review yet."
    status = "is overdue" if client.review_overdue else "is on schedule"
    return f"The last client review took place on {day(client.last_review)}; the next {status}."


def client_summary(client: ClientData, quarter: Quarter) -> list[str]:
    return [
        fee_sentence(client),
        *filter(None, [fees_to_date_sentence(client)]),
        pipeline_sentence(client),
        plan_sentence(client),
        review_sentence(client),
        contact_sentence(client, quarter),
    ]


# --- Portfolio (quarterly pack) -----------------------------------------------------------------


def band_counts(clients: list[ClientData], previous: bool = False) -> Counter:
    if previous:
        return Counter(c.previous_score.band if c.previous_score else "insufficient" for c in clients)
    return Counter(c.band for c in clients)


def movers(clients: list[ClientData], count: int = 5) -> list[ClientData]:
    moved = [c for c in clients if c.delta]
    return sorted(moved, key=lambda c: (-abs(c.delta), c.name))[:count]


def at_risk(clients: list[ClientData]) -> list[ClientData]:
    return sorted(
        [c for c in clients if c.band == "red"],
        key=lambda c: (c.score.value if c.score and c.score.value is not None else 0, c.name),
    )


def crp_signals(clients: list[ClientData]) -> list[tuple[ClientData, list[str]]]:
    signals = []
    for client in clients:
        found = [
            label
            for flag, label in [
                (client.rotation_due, f"rotation due ({client.tenure_years or 0:.1f} years)"),
                (client.without_successor, "no successor"),
                (client.overloaded, f"CRP overloaded (workload {client.crp_workload or 0:.1f})"),
            ]
            if flag
        ]
        if found:
            signals.append((client, found))
    return signals


def pack_key_messages(data: ReportData) -> list[str]:
    clients, quarter = data.clients, data.quarter
    now, before = band_counts(clients), band_counts(clients, previous=True)
    messages = [
        f"{now['green']} of {len(clients)} clients are green, {now['amber']} amber and {now['red']} red.",
        f"Red clients went {movement(before['red'], now['red'], quarter.previous)}."
        if before["red"] != now["red"]
        else f"Red clients stayed at {now['red']} since {quarter.previous}.",
    ]
    fallers = [c for c in movers(clients) if c.delta < 0]
    if fallers:
        worst = fallers[0]
        messages.append(
            f"{worst.name} fell most, {movement(worst.previous_score.rounded, worst.score.rounded, quarter.previous)}."
        )
    else:
        messages.append("No client's score fell this quarter.")
    signals = crp_signals(clients)
    messages.append(
        f"{plural(len(signals), 'client needs', 'clients need')} a CRP decision: rotation, succession or workload."
    )
    red = len(at_risk(clients))
    if red:
        messages.append(
            f"Action: approve recovery plans for {plural(red, 'red client')} and settle {len(signals)} CRP questions."
        )
    elif signals:
        messages.append(f"Action: settle {plural(len(signals), 'CRP question')} before next quarter.")
    else:
        messages.append("Action: keep the programme's current course and review next quarter.")
    return messages


def pack_summary(data: ReportData) -> list[str]:
    clients = data.clients
    fees = sum((c.fees.amount for c in clients), Decimal(0))
    previous_fees = sum((c.fees.previous for c in clients), Decimal(0))
    pipeline = sum((c.pipeline_weighted for c in clients), Decimal(0))
    overdue = sum(1 for c in clients if c.review_overdue)
    gaps = sum(len(c.coverage_gaps) for c in clients)
    period = fee_period(data.as_of)
    billed = f"These clients billed {money(fees)} in FY{period.year}, the last complete year"
    if previous_fees:
        change = (fees - previous_fees) / previous_fees * 100
        billed += f", {'up' if change >= 0 else 'down'} {abs(change):.0f}% on FY{period.previous}"
    sentences = [
        f"{billed}.",
        f"The weighted pipeline stands at {money(pipeline)}.",
        f"{plural(overdue, 'client is', 'clients are')} overdue for a client review.",
        f"{plural(gaps, 'senior decision-maker lacks', 'senior decision-makers lack')} a strong firm relationship.",
    ]
    missing = sum(1 for c in clients if c.score is None)
    if missing:
        sentences.append(f"{plural(missing, 'client has', 'clients have')} no health score yet.")
    return sentences
