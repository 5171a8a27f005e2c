import time
from reports.pdf.build import build_report
from reports.models import Report
from tests.reports_pdf.conftest import pdf_pages

def test_tmp(rich_client, alice, quarter, tmp_path):
    r = Report.objects.create(kind="account_review", scope={"type": "client", "id": rich_client.pk},
                              period_start=quarter.start, period_end=quarter.end, requested_by=alice)
    t = time.monotonic()
    built = build_report(r)
    print("seconds", time.monotonic() - t, built.pdf.pages, built.pdf.refused_urls)
    open("/tmp/pdf_review.pdf", "wb").write(built.pdf.content)
    for i, p in enumerate(pdf_pages(built.pdf.content)):
        print("=== PAGE", i + 1); print(p)
