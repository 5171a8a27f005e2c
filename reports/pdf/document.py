"""Turn gathered data into the HTML of an account review or a quarterly pack."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from accounts.selectors import fee_period
from health.selectors import band_thresholds
from listening.reporting import voice_of_client
from reports.pdf import charts, narrative
from reports.pdf.data import ClientData, ReportData
from reports.pdf.text import Readability, day, readability
from stakeholders.models import InteractionKind
from stewardship.selectors.pack import StewardshipPack

PLAN_TEXT_FIELDS = [
    ("north_star", "Client's business goals"),
    ("relationship_objectives", "Relationship objectives"),
    ("value_proposition", "Value proposition"),
]


def css_string(value: str) -> str:
    """A CSS string literal that cannot close the string or the surrounding <style> element."""
    safe = " .,:;-()&/'£%\u2013\u2014"
    escaped = "".join(ch if ch.isalnum() or ch in safe else f"\\{ord(ch):x} " for ch in value)
    return f'"{escaped}"'


SUMMARY_ROWS = 5  # rows of each list in a pack's executive summary; the rest are in the full report
MOVER_POINTS = 5  # the full report lists every client whose score moved by at least this much


@dataclass
class Shortlist:
    """The top rows of a list for the executive summary, and how many more the full report holds."""

    rows: list
    more: int
    total: int


def shortlist(items: list, count: int = SUMMARY_ROWS) -> Shortlist:
    return Shortlist(rows=items[:count], more=max(len(items) - count, 0), total=len(items))


def interaction_kinds(client: ClientData) -> list[tuple[str, int]]:
    """Touchpoints by kind, under the kinds' printed labels."""
    labels = dict(InteractionKind.choices)
    return [(labels.get(kind, kind), count) for kind, count in client.interactions_by_kind.items()]


@dataclass
class ClientSection:
    client: ClientData
    key_messages: list[str]
    summary: list[str]
    trend_svg: SafeString
    components_svg: SafeString
    heat_map_svg: SafeString
    plan_texts: list[tuple[str, str, Readability]] = field(default_factory=list)

    @property
    def interaction_kinds(self) -> list[tuple[str, int]]:
        return interaction_kinds(self.client)

    @property
    def summary_paragraphs(self) -> list[list[str]]:
        """Paragraphs of at most four sentences."""
        return [self.summary[i : i + 3] for i in range(0, len(self.summary), 3)]


def client_section(client: ClientData, data: ReportData) -> ClientSection:
    thresholds = band_thresholds(data.scorecard)
    plan_texts = []
    if client.plan is not None:
        for name, label in PLAN_TEXT_FIELDS:
            text = getattr(client.plan, name)
            if text.strip():
                plan_texts.append((label, text, readability(f"{client.name}: {label}", text)))
    return ClientSection(
        client=client,
        key_messages=narrative.client_key_messages(client, data.quarter),
        summary=narrative.client_summary(client, data.quarter),
        trend_svg=charts.trend_chart(client.trend, green=thresholds.green, amber=thresholds.amber),
        components_svg=charts.component_bars(client.score.components if client.score else []),
        heat_map_svg=charts.heat_map(client.heat_map),
        plan_texts=plan_texts,
    )


def page_css(*, title: str, period: str, as_of: str) -> SafeString:
    """Running header and footer text, escaped into CSS strings."""
    return mark_safe(  # noqa: S308 - every value goes through css_string()  # nosec B308 B703 - reviewed: built from escaped parts
        "@page { "
        f"@top-left {{ content: {css_string(settings.FIRM_NAME)}; }} "
        f"@top-center {{ content: {css_string(title)}; }} "
        f"@top-right {{ content: {css_string(f'{period} · data as of {as_of}')}; }} "
        f"@bottom-left {{ content: {css_string(settings.REPORTS_CONFIDENTIALITY_FOOTER)}; }} "
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
    )


def _readability_rows(sections: list[ClientSection], generated: list[str]) -> list[Readability]:
    rows = [readability("Generated narrative", " ".join(generated))]
    for section in sections:
        rows.extend(r for _, _, r in section.plan_texts)
    return rows


def _common(data: ReportData, title: str) -> dict:
    return {
        "firm_name": settings.FIRM_NAME,
        "title": title,
        "quarter": data.quarter,
        "previous_quarter": data.quarter.previous,
        "as_of": day(data.as_of),
        "page_css": page_css(title=title, period=data.quarter.label, as_of=day(data.as_of)),
        "scorecard": data.scorecard,
        "measures": data.measures,
    }


def account_review_html(data: ReportData) -> tuple[str, str]:
    client = data.clients[0]
    section = client_section(client, data)
    title = f"Account review: {client.name}"
    generated = section.key_messages + section.summary
    context = _common(data, title) | {
        "section": section,
        "c": client,
        "readability": _readability_rows([section], generated),
    }
    return title, render_to_string("reports/pdf/account_review.html", context)


def pack_html(data: ReportData, scope_label: str, stewardship: StewardshipPack | None = None) -> tuple[str, str]:
    sections = [client_section(c, data) for c in data.clients]
    title = f"Quarterly pack: {scope_label}"
    key_messages = narrative.pack_key_messages(data)
    summary = narrative.pack_summary(data)
    now = narrative.band_counts(data.clients)
    before = narrative.band_counts(data.clients, previous=True)
    movers = narrative.movers(data.clients, count=len(data.clients))
    at_risk = narrative.at_risk(data.clients)
    crp_signals = narrative.crp_signals(data.clients)
    generated = key_messages + summary + [m for s in sections for m in s.key_messages + s.summary]
    context = _common(data, title) | {
        "scope_label": scope_label,
        "key_messages": key_messages,
        "summary": summary,
        "sections": sections,
        "band_rows": [(band, before[band], now[band]) for band in ["green", "amber", "red", "insufficient"]],
        "band_svg": charts.band_bars(now, before, data.quarter.label, data.quarter.previous.label),
        "band_moves": _band_moves(data.clients),
        "movers": shortlist(movers),
        "all_movers": [c for c in movers if abs(c.delta) >= MOVER_POINTS],
        "mover_points": MOVER_POINTS,
        "at_risk": shortlist(at_risk),
        "all_at_risk": at_risk,
        "crp_signals": crp_signals,
        "crp_signals_top": shortlist(crp_signals),
        "fee_year": fee_period(data.as_of).year,
        "readability": _readability_rows(sections, generated),
        "voice": voice_of_client(
            client_ids=[c.id for c in data.clients], start=data.quarter.start, end=min(data.as_of, data.quarter.end)
        ),
        "stewardship": stewardship,
    }
    return title, render_to_string("reports/pdf/pack.html", context)


def _band_moves(clients: list[ClientData]) -> list[tuple[str, str, int]]:
    moves: dict[tuple[str, str], int] = {}
    for c in clients:
        before = c.previous_score.band if c.previous_score else "insufficient"
        if before != c.band:
            moves[(before, c.band)] = moves.get((before, c.band), 0) + 1
    return sorted(((a, b, n) for (a, b), n in moves.items()), key=lambda m: -m[2])
