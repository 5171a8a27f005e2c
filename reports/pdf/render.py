"""WeasyPrint with a locked-down URL fetcher and caps on pages and render time.

Partner-written text ends up in the PDFs, so the renderer may fetch nothing but Keyline's own
static files: no file://, no http(s) anywhere else, no data: URLs, no attachments.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint logs every layout step at INFO (even on import); a worker's log needs its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

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
        if (
            relative.startswith(("..", "/"))
            or Path(relative).suffix.lower() not in ALLOWED_SUFFIXES
        ):
            return None
        found = finders.find(relative)
        return Path(found) if isinstance(found, str) else None


@dataclass
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float
    refused_urls: list[str]


def render_pdf(
    html: str, *, max_pages: int | None = None, max_seconds: float | None = None
) -> RenderedPdf:
    """Lay out `html` and write the PDF, refusing documents past the page or time cap."""
    max_pages = max_pages or settings.REPORTS_MAX_PAGES
    max_seconds = max_seconds or settings.REPORTS_MAX_RENDER_SECONDS
    started = time.monotonic()
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=fetcher).render()
    if len(document.pages) > max_pages:
        raise ReportRenderError(
            f"The report would run to {len(document.pages)} pages, past the limit of {max_pages}. "
            "Choose a narrower scope."
        )
    if time.monotonic() - started > max_seconds:
        raise ReportRenderError(
            f"The report took longer than {max_seconds:.0f} seconds to lay out. "
            "Choose a narrower scope."
        )
    document.metadata.attachments = []  # a <link rel="attachment"> never embeds anything
    content = document.write_pdf(pdf_forms=False)
    return RenderedPdf(
        content=content,
        pages=len(document.pages),
        seconds=time.monotonic() - started,
        refused_urls=fetcher.refused,
    )
