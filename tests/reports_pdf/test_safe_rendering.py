"""The renderer fetches nothing but Keyline's own static files, and caps pages and time."""

import pytest

from reports.pdf.render import STATIC_BASE_URL, ReportRenderError, StaticOnlyFetcher, render_pdf
from tests.factories import AccountPlanFactory
from tests.reports_pdf.conftest import pdf_reader, review_record

pytestmark = pytest.mark.django_db

HOSTILE = '<link rel="attachment" href="file:///etc/passwd">'


def has_attachments(content: bytes) -> bool:
    reader = pdf_reader(content)
    if reader.attachments:
        return True
    return any(
        annotation.get_object().get("/Subtype") == "/FileAttachment"
        for page in reader.pages
        for annotation in page.get("/Annots") or []
    )


def test_partner_note_with_an_attachment_link_embeds_nothing(normal_client, alice, build):
    AccountPlanFactory(client=normal_client, year=2026, north_star=f"Grow. {HOSTILE}")
    built, pages = build(review_record(alice, normal_client))
    assert not has_attachments(built.pdf.content)
    assert "root:" not in "".join(pages)


def test_raw_html_attachment_link_and_file_stylesheet_fetch_nothing():
    html = (
        f"<html><head>{HOSTILE}<link rel='stylesheet' href='file:///etc/passwd'>"
        "<link rel='stylesheet' href='http://169.254.169.254/latest/meta-data/'></head>"
        "<body><p>Hello</p><a rel='attachment' href='file:///etc/hostname'>x</a>"
        "<img src='file:///etc/passwd'></body></html>"
    )
    rendered = render_pdf(html)
    assert not has_attachments(rendered.content)
    assert "file:///etc/passwd" in rendered.refused_urls
    assert "http://169.254.169.254/latest/meta-data/" in rendered.refused_urls


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://localhost:8000/admin/",
        "https://example.com/static/reports/pdf.css",
        f"{STATIC_BASE_URL}../../../etc/passwd",
        f"{STATIC_BASE_URL}reports/%2e%2e/%2e%2e/config/settings.py",
        "data:text/css,body{}",
    ],
)
def test_fetcher_refuses_everything_but_project_static_files(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_fetcher_serves_the_report_stylesheet():
    response = StaticOnlyFetcher().fetch(f"{STATIC_BASE_URL}reports/pdf.css")
    assert b"@page" in response.read()


def test_a_report_past_the_page_cap_is_refused():
    html = "<html><body>" + "<p style='break-after: page'>x</p>" * 5 + "</body></html>"
    with pytest.raises(ReportRenderError, match="past the limit of 3"):
        render_pdf(html, max_pages=3)


def test_layout_stops_as_soon_as_it_passes_the_page_cap():
    seen = []
    html = "<html><body>" + "<p style='break-after: page'>x</p>" * 50 + "</body></html>"
    with pytest.raises(ReportRenderError, match="past the limit of 3 pages"):
        render_pdf(html, max_pages=3, on_page=seen.append)
    assert seen == [1, 2, 3]


def test_layout_reports_each_page_for_the_progress_bar():
    seen = []
    render_pdf(
        "<html><body>" + "<p style='break-after: page'>x</p>" * 3 + "</body></html>",
        on_page=seen.append,
    )
    assert seen == [1, 2, 3]
