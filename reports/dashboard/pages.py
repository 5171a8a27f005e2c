"""What each dashboard page shows, assembled from the selectors in a fixed number of queries."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from accounts.access import sees_all_open_clients, sees_behind_walls, starts_on_own_portfolio
from accounts.models import Client, Role, User
from listening.selectors import rounded_nps
from reports.dashboard import aggregates, selectors, svg
from reports.dashboard.params import COLUMN_LABELS, DEFAULT_COLUMNS, DashboardParams, parse_params
from reports.models import ColumnPreference, SavedView

SHARED_REFRESH_OVERLAP_SECONDS = 30  # refreshed figures outlive the beat that refreshes them


def default_mine(user: User) -> bool:
    """Partners start on their own portfolio; everyone else on the whole visible one."""
    return starts_on_own_portfolio(user)


def read_params(user: User, query: QueryDict) -> tuple[DashboardParams, selectors.FilterOptions]:
    params = parse_params(query, default_mine=default_mine(user))
    options = cached_filter_options(user)
    selectors.check_choices(params, options)
    return params, options


def shown_columns(user: User, params: DashboardParams) -> tuple[str, ...]:
    """The table's columns: the URL's (a saved or shared view), else the reader's choice, else the defaults."""
    if params.columns is not None:
        return params.columns
    chosen = ColumnPreference.objects.filter(user=user, page="dashboard").values_list("columns", flat=True).first()
    if chosen is None:
        return DEFAULT_COLUMNS
    return tuple(key for key in COLUMN_LABELS if key in chosen)


def without_columns(query: str) -> str:
    """`query` less its `cols`, so that the reader's remembered columns apply."""
    values = QueryDict(query.lstrip("?"), mutable=True)
    values.pop("cols", None)
    values.pop("page", None)
    return values.urlencode()


def cached_filter_options(user: User) -> selectors.FilterOptions:
    """The filter bar's choices, cached briefly per access scope: CRPs and sectors change rarely."""
    seconds = getattr(settings, "DASHBOARD_CHART_CACHE_SECONDS", 60)
    key = f"reports:filter-options:{_scope_key(user)}"
    options = cache.get(key) if seconds else None
    if options is None:
        options = selectors.filter_options(user)
        if seconds:
            cache.set(key, options, seconds)
    return options


@dataclass
class Row:
    client: Client
    sparkline: str
    days_since_contact: int | None
    reasons: list[str]
    nps: int | None = None


@dataclass
class TablePage:
    rows: list[Row]
    total: int
    number: int
    num_pages: int
    start_index: int = 0
    end_index: int = 0
    page_numbers: list[int] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def table_page(user: User, params: DashboardParams) -> TablePage:
    """One page of rows, clamping a page past the end to the last page (with a notice)."""
    queryset = selectors.portfolio(user, params)
    ids, total = [], None
    if params.page != "last":
        ids, total = _page_ids(queryset, int(params.page), params.page_size)
    if total is None:  # an empty page: past the end, "last", or nothing matches
        total = queryset.count()
    num_pages = max(1, math.ceil(total / params.page_size))
    number = num_pages if params.page == "last" else int(params.page)
    if number > num_pages:
        params.notices.append(f"Page {number} is past the end; showing the last page, {num_pages}.")
        number = num_pages
    if total and (not ids or number != params.page):
        ids, _ = _page_ids(queryset, number, params.page_size)
    params.page = number
    offset = (number - 1) * params.page_size
    by_pk = {c.pk: c for c in selectors.portfolio_base(user).filter(pk__in=ids)} if ids else {}
    clients = [by_pk[pk] for pk in ids if pk in by_pk]
    lines = selectors.sparklines([c.pk for c in clients])
    today = timezone.localdate()
    rows = [
        Row(
            client=c,
            sparkline=svg.sparkline(lines.get(c.pk, [])),
            days_since_contact=selectors.days_since(c.last_contact, today),
            reasons=selectors.attention_reasons(c, today),
            nps=rounded_nps(c.nps),
        )
        for c in clients
    ]
    window = range(max(1, number - 2), min(num_pages, number + 2) + 1)
    return TablePage(
        rows=rows,
        total=total,
        number=number,
        num_pages=num_pages,
        start_index=offset + 1 if clients else 0,
        end_index=offset + len(clients),
        page_numbers=list(window),
    )


def _page_ids(queryset: QuerySet[Client], number: int, size: int) -> tuple[list[int], int | None]:
    """The ids on page `number` and the total row count.

    Only the columns that filter and sort are computed here; the page's other figures are read
    afterwards for its few ids, so page 200 costs the same as page 1. The count is a statement of
    its own: counted beside the page (a window), it made PostgreSQL compute every row's sort columns
    even when the order is the name's, which an index gives for the first rows alone.
    """
    offset = (number - 1) * size
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + size])
    return ids, (queryset.count() if ids else None)


def export_rows(user: User, params: DashboardParams, limit: int = 20_000) -> QuerySet[Client]:
    """Every row of the current view (not just the page on screen), in the page's order."""
    return selectors.portfolio(user, params)[:limit]


def saved_views(user: User) -> list[SavedView]:
    return list(SavedView.objects.filter(user=user, page="dashboard").order_by("name"))


# --- charts -------------------------------------------------------------------------------------


def _scope_key(user: User, params: DashboardParams | None = None) -> str:
    """Who the figures are for: the access rule gives each partner their own visible clients.

    Figures are shared only by people who see exactly the same clients. Someone who sees a
    confidential client because they are on its team gets keys of their own that name those
    clients, so their figures never reach anyone else and stop being served the moment they
    leave the team.
    """
    if sees_behind_walls(user) and not (params is not None and params.mine):
        return "all"
    walled = list(Client.objects.walled_on_team_of(user).order_by("pk").values_list("pk", flat=True))
    if walled or (params is not None and params.mine) or not sees_all_open_clients(user):
        behind = hashlib.sha256(",".join(map(str, walled)).encode()).hexdigest()[:16]
        return f"user:{user.pk}:{behind}"
    return "open"


def _chart_key(scope: str, params: DashboardParams) -> str:
    digest = hashlib.sha256(f"{scope}|{params.filter_query()}|{timezone.localdate()}".encode()).hexdigest()[:32]
    return f"reports:dashboard-charts:{digest}"


def _overview_key(scope: str) -> str:
    return f"reports:overview:{scope}:{timezone.localdate()}"


def _cache_seconds() -> int:
    return getattr(settings, "DASHBOARD_CHART_CACHE_SECONDS", 60)


def chart_figures(user: User, params: DashboardParams) -> dict:
    """The five charts' figures for the filtered portfolio, cached briefly per scope and filters.

    Aggregating a year of scores for thousands of clients is the costliest read on the page; the
    figures move daily, so a short cache keeps the charts cheap without showing stale news.
    """
    seconds = _cache_seconds()
    key = _chart_key(_scope_key(user, params), params)
    figures = cache.get(key) if seconds else None
    if figures is None:
        figures = _compute_chart_figures(user, params)
        if seconds:
            cache.set(key, figures, seconds)
    return figures


def cached_overview(user: User):
    """The firm overview, cached briefly per access scope: its figures move daily."""
    from reports.dashboard.overview import firm_overview

    seconds = _cache_seconds()
    key = _overview_key(_scope_key(user))
    figures = cache.get(key) if seconds else None
    if figures is None:
        figures = firm_overview(user)
        if seconds:
            cache.set(key, figures, seconds)
    return figures


def shared_figures_refresh() -> list[str]:
    """Recompute the firm overview and the unfiltered charts of the scopes many people share
    (everyone outside the walls; everyone behind them) so that no one waits for them: at 5,000
    clients each takes about 100 ms. Runs on a beat a little shorter than the cache's lifetime."""
    from reports.dashboard.overview import firm_overview

    seconds = _cache_seconds()
    if not seconds:
        return []
    refreshed = []
    for scope, roles in [("open", [Role.BD]), ("all", [Role.MANAGING_PARTNER, Role.ADMIN])]:
        candidates = User.objects.filter(is_active=True, role__in=roles).order_by("pk")[:20]
        viewer = next((person for person in candidates if _scope_key(person) == scope), None)
        if viewer is None:
            continue
        unfiltered = DashboardParams()
        lifetime = seconds + SHARED_REFRESH_OVERLAP_SECONDS
        cache.set(_overview_key(scope), firm_overview(viewer), lifetime)
        cache.set(_chart_key(scope, unfiltered), _compute_chart_figures(viewer, unfiltered), lifetime)
        refreshed.append(scope)
    return refreshed


def _compute_chart_figures(user: User, params: DashboardParams) -> dict:
    filtered = selectors.apply_filters(selectors.portfolio_base(user), params, user)
    rows = aggregates.portfolio_rows(filtered)
    ids = [row.pk for row in rows]
    up, down = aggregates.biggest_movers(rows, filtered)
    return {
        "bands": aggregates.band_slices(aggregates.band_counts(rows)),
        "months": aggregates.average_score_by_month(ids),
        "fees": aggregates.fees_by_service_line(ids),
        "up": up,
        "down": down,
        "workload": aggregates.crp_workload(user, ids),
    }


def chart_context(figures: dict) -> dict:
    return {
        **figures,
        "bands_svg": svg.band_distribution(figures["bands"]),
        "months_svg": svg.score_line(figures["months"]),
        "fees_svg": svg.fees_by_line(figures["fees"]),
        "movers_svg": svg.movers(figures["up"], figures["down"]),
        "workload_svg": svg.workload(figures["workload"]),
    }
