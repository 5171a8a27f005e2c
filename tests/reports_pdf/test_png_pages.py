"""Rasterise a rendered review to catch blank or broken pages."""

import shutil
import subprocess

import pytest
from PIL import Image

from tests.reports_pdf.conftest import review_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed"),
]


def test_every_page_of_an_account_review_renders_to_a_non_blank_png(rich_client, alice, build, tmp_path):
    built, _ = build(review_record(alice, rich_client))
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(built.pdf.content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == built.pdf.pages
    for path in images:
        with Image.open(path) as image:
            grey = image.convert("L")
            dark = sum(grey.histogram()[:200])
            assert dark > 0.005 * grey.width * grey.height, f"{path.name} looks blank"
