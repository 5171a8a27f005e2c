"""The dashboard's view state (filters, sort, search, page) parsed from a query string.

Bad values never raise: each is ignored or clamped and explained in `notices`, so a shared or
hand-edited URL always gives a clean page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.http import QueryDict

from core.pagination import page_number
from health.models import Band

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 100

# Thresholds are settings (ATTENTION_*), read once at start-up for these labels.
ATTENTION_REASONS = {
    "any": "Needs attention (any reason)",
    "red": "Red band",
    "falling": f"Score fell {settings.ATTENTION_FALLING_POINTS}+ points in 90 days",
    "no_contact": f"No contact in {settings.ATTENTION_NO_CONTACT_DAYS} days",
    "overdue_actions": f"{settings.ATTENTION_OVERDUE_ACTIONS}+ overdue actions",
    "overdue_review": "Client review overdue",
    "coverage_gaps": "Senior coverage gaps",
}

# sort key in the URL -> column label; the selector maps keys to expressions
SORT_LABELS = {
    "name": "Client",
    "band": "Band",
    "score": "Score",
    "nps": "NPS",
    "trend": "90-day trend",
    "coverage": "Data coverage",
    "fees": "Fees last FY",
    "fee_change": "Fee change",
    "pipeline": "Weighted pipeline",
    "crp": "CRP",
    "tier": "Tier",
    "next_review": "Next review",
    "overdue": "Overdue actions",
    "gaps": "Coverage gaps",
    "last_contact": "Days since contact",
}

# Columns a reader may hide ("name" always shows). The defaults fit a 1280 px screen with the
# reasons for attention in view; the reader's choice is kept per user (ColumnPreference) and a
# saved view carries its own (`cols` in its query).
COLUMN_LABELS = {
    **{key: label for key, label in SORT_LABELS.items() if key != "name"},
    "nps": "NPS (last 12 months)",  # the header says "NPS", to keep the defaults within 1280 px
    "reasons": "Why it needs attention",
}
DEFAULT_COLUMNS = ("band", "score", "nps", "trend", "fees", "fee_change", "crp", "reasons")

FILTER_KEYS = ("q", "pg", "office", "crp", "tier", "band", "sector", "attention", "mine")


@dataclass
class DashboardParams:
    search: str = ""
    practice_group: int | None = None
    office: int | None = None
    crp: int | None = None
    tier: int | None = None
    group: int | None = None  # a client: the dashboard of its group (it and its members)
    band: str = ""
    sector: str = ""
    attention: str = ""
    mine: bool = False
    sort: str = "name"
    page: int | str = 1
    page_size: int = DEFAULT_PAGE_SIZE
    # None: the URL is silent and the reader's remembered columns apply
    columns: tuple[str, ...] | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def query(self, **overrides: object) -> str:
        """The canonical query string of this view (defaults left out), with `overrides` applied."""
        values = {
            "q": self.search,
            "pg": self.practice_group,
            "office": self.office,
            "crp": self.crp,
            "tier": self.tier,
            "group": self.group,
            "band": self.band,
            "sector": self.sector,
            "attention": self.attention,
            "mine": "1" if self.mine else "0",
            "sort": self.sort,
            "size": self.page_size,
            "page": self.page,
            "cols": None if self.columns is None else ",".join(self.columns) or ",",
        }
        values.update(overrides)
        defaults = {"sort": "band" if values.get("attention") else "name", "size": DEFAULT_PAGE_SIZE, "page": 1}
        pairs = [
            (key, value) for key, value in values.items() if value not in (None, "") and defaults.get(key) != value
        ]
        return urlencode(pairs)

    @property
    def sort_base(self) -> str:
        """The query without sort and page: column headers add their own sort."""
        return self.query(sort=None, page=None)

    def filter_query(self) -> str:
        """Filters and search only: for links to other pages that filter the same way."""
        return self.query(sort=None, size=None, page=None, cols=None)


def _int_or_notice(raw: str, label: str, notices: list[str]) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        notices.append(f"Ignored the {label} filter: “{raw[:40]}” is not a valid choice.")
        return None
    if value <= 0:
        notices.append(f"Ignored the {label} filter: “{raw[:40]}” is not a valid choice.")
        return None
    return value


def parse_params(query: QueryDict, *, default_mine: bool = False) -> DashboardParams:
    """Read the view state from `query`; `default_mine` applies when the query is silent on it."""
    notices: list[str] = []
    params = DashboardParams(notices=notices)
    params.search = query.get("q", "").strip()
    if len(params.search) > MAX_SEARCH_LENGTH:
        params.search = params.search[:MAX_SEARCH_LENGTH]
        notices.append(f"The search was shortened to {MAX_SEARCH_LENGTH} characters.")
    params.practice_group = _int_or_notice(query.get("pg", ""), "practice group", notices)
    params.office = _int_or_notice(query.get("office", ""), "office", notices)
    params.crp = _int_or_notice(query.get("crp", ""), "CRP", notices)
    params.tier = _int_or_notice(query.get("tier", ""), "tier", notices)
    params.group = _int_or_notice(query.get("group", ""), "group", notices)
    params.sector = query.get("sector", "").strip()[:100]

    band = query.get("band", "")
    if band and band not in Band.values:
        notices.append(f"Ignored the band filter: “{band[:40]}” is not a band.")
        band = ""
    params.band = band

    attention = query.get("attention", "")
    if attention == "1":
        attention = "any"
    if attention and attention not in ATTENTION_REASONS:
        notices.append(f"Ignored the needs-attention filter: “{attention[:40]}” is not a reason.")
        attention = ""
    params.attention = attention

    mine = query.get("mine")
    params.mine = default_mine if mine is None else mine == "1"

    # Clients picked out for attention are listed worst first unless the reader chose an order.
    default_sort = "band" if params.attention else "name"
    sort = query.get("sort", default_sort) or default_sort
    if sort.removeprefix("-") not in SORT_LABELS:
        notices.append(f"Sorted by client name: “{sort[:40]}” is not a column.")
        sort = "name"
    params.sort = sort

    params.columns = parse_columns(query)
    params.page_size = _page_size(query.get("size", ""), notices)
    page = query.get("page", "1") or "1"
    params.page = page if page == "last" else (page_number(page) or 1)
    if page != "last" and page_number(page) is None:
        notices.append(f"Showing page {params.page}: “{page[:40]}” is not a page number.")
    return params


def _page_size(raw: str, notices: list[str]) -> int:
    if not raw:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        notices.append(f"Showing {DEFAULT_PAGE_SIZE} rows per page: “{raw[:40]}” is not a number.")
        return DEFAULT_PAGE_SIZE
    if size > MAX_PAGE_SIZE:
        notices.append(f"Showing {MAX_PAGE_SIZE} rows per page, the most a page can hold.")
        return MAX_PAGE_SIZE
    if size < 1:
        notices.append(f"Showing {DEFAULT_PAGE_SIZE} rows per page: a page needs at least one row.")
        return DEFAULT_PAGE_SIZE
    return size


def parse_columns(query: QueryDict) -> tuple[str, ...] | None:
    """The columns named in `cols` (comma-separated or repeated), in table order; None when absent."""
    if "cols" not in query:
        return None
    named = {key for raw in query.getlist("cols") for key in raw.split(",")}
    return tuple(key for key in COLUMN_LABELS if key in named)
