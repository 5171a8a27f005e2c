"""Tags for pages that draw hundreds of stakeholders: one Python call per card instead of dozens of nodes."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()
EMPTY_CELL = mark_safe("<td></td>")  # nosec B308 B703 - reviewed: built from escaped parts


@register.simple_tag
def org_card(person, detail_url: str):
    """One org-chart card: name, title, buying role, influence, primary owner, days since contact."""
    days = person.days_since_contact
    plural = "" if days == 1 else "s"
    contact = "Never contacted" if days is None else f"{days} day{plural} since contact"
    stale = " stale" if days is None or days > 90 else ""
    owner = person.primary.user.full_name if person.primary else "none"
    return format_html(
        '<article class="org-card att-{}" id="stakeholder-{}" data-testid="org-card">'
        '<h3><a href="{}{}/">{}</a></h3><p class="org-title">{}</p>'
        '<p><span class="badge role-{}">{}</span> <span class="influence" title="Influence {} of 5">◆ {}</span></p>'
        '<p class="org-owner">Owner: {}</p><p class="org-contact{}">{}</p></article>',
        person.attitude,
        person.pk,
        detail_url,
        person.pk,
        person.name,
        person.job_title or "—",
        person.buying_role,
        person.role_label,
        person.influence,
        person.influence,
        owner,
        stale,
        contact,
    )


@register.simple_tag
def matrix_cells(cells):
    """One row of the coverage matrix: strength → target, ★ for the primary owner, engagement below."""
    parts = []
    for rel in cells:
        if rel is None:
            parts.append(EMPTY_CELL)
            continue
        target = format_html(" → {}", rel.target_strength) if rel.target_strength else ""
        stale = rel.is_stale
        parts.append(
            format_html(
                '<td class="str-{}">{}{}{}<br><small class="{}">eng. {}{}</small></td>',
                rel.strength,
                "★ " if rel.is_primary else "",
                rel.strength,
                target,
                "stale" if stale else "muted",
                rel.engagement.figure,
                " stale" if stale else "",
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))
