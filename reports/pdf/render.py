"""WeasyPrint with a locked-down URL fetcher and caps on pages and render time.

Partner-written text ends up in the PDFs, so the renderer may fetch nothing but Keyline's own
static files: no file://, no http(s) anywhere else, no data: URLs, no attachments.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint reports each laid-out page on this logger. Keep it out of the worker's log (it logs
# even on import) and listen to it only while rendering, to show progress and stop runaway layouts.
PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
PROGRESS_LOGGER.setLevel(logging.INFO)
PROGRESS_LOGGER.propagate = False
PAGE_MESSAGE = "Step 5 - Creating layout - Page %d"

from weasyprint import HTML  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

STATIC_BASE_URL = "https://keyline.invalid/static/"
ALLOWED_SUFFIXES = {".css", ".svg", ".png", ".jpg", ".woff", ".woff2", ".ttf", ".otf"}


class ReportRenderError(Exception):
    """A report that cannot be rendered; the message is shown to the person who asked for it."""


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's own static files and refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols={"https"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError("Reports may load only Keyline's own static files.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _static_path(url: str) -> Path | None:
        if not url.startswith(STATIC_BASE_URL):
            return None
        parts = urlsplit(url)
        if parts.query or parts.username or parts.port:
            return None
        relative = posixpath.normpath(unquote(parts.path).removeprefix("/static/"))
        if relative.startswith(("..", "/")) or Path(relative).suffix.lower() not in ALLOWED_SUFFIXES:
            return None
        found = finders.find(relative)
        return Path(found) if isinstance(found, str) else None


class LayoutWatch(logging.Handler):
    """Follows layout page by page: reports progress, and stops it past the page or time cap
    instead of finishing a document that will be refused anyway."""

    def __init__(self, *, max_pages: int, deadline: float, on_page: Callable[[int], None]):
        super().__init__(level=logging.INFO)
        self.max_pages, self.deadline, self.on_page = max_pages, deadline, on_page

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg != PAGE_MESSAGE or not record.args:
            return
        page = int(record.args[0])
        if page > self.max_pages:
            raise ReportRenderError(
                f"The report would run past the limit of {self.max_pages} pages. Choose a narrower scope."
            )
        if time.monotonic() > self.deadline:
            raise ReportRenderError("The report took too long to lay out. Choose a narrower scope.")
        self.on_page(page)


@dataclass
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float
    refused_urls: list[str]


def render_pdf(
    html: str,
    *,
    max_pages: int | None = None,
    max_seconds: float | None = None,
    on_page: Callable[[int], None] = lambda page: None,
) -> RenderedPdf:
    """Lay out `html` and write the PDF, refusing documents past the page or time cap."""
    max_pages = max_pages or settings.REPORTS_MAX_PAGES
    max_seconds = max_seconds or settings.REPORTS_MAX_RENDER_SECONDS
    started = time.monotonic()
    fetcher = StaticOnlyFetcher()
    watch = LayoutWatch(max_pages=max_pages, deadline=started + max_seconds, on_page=on_page)
    PROGRESS_LOGGER.addHandler(watch)
    try:
        document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render()
    finally:
        PROGRESS_LOGGER.removeHandler(watch)
    if len(document.pages) > max_pages:
        raise ReportRenderError(
            f"The report would run to {len(document.pages)} pages, past the limit of {max_pages}. "
            "Choose a narrower scope."
        )
    if time.monotonic() - started > max_seconds:
        raise ReportRenderError(
            f"The report took longer than {max_seconds:.0f} seconds to lay out. Choose a narrower scope."
        )
    document.metadata.attachments = []  # a <link rel="attachment"> never embeds anything
    content = document.write_pdf(pdf_forms=False)
    return RenderedPdf(
        content=content,
        pages=len(document.pages),
        seconds=time.monotonic() - started,
        refused_urls=fetcher.refused,
    )
