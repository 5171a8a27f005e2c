"""CSS cannot import health/bands.py: both stylesheets are pinned to its colours here."""

import re
from pathlib import Path

from health.bands import BAND_COLOURS

ROOT = Path(__file__).resolve().parents[2]
CSS_TOKEN = {"green": "green", "amber": "amber", "red": "red", "insufficient": "grey"}


def test_the_pages_colour_tokens_are_the_band_colours():
    css = (ROOT / "static/css/keyline.css").read_text()
    for band, token in CSS_TOKEN.items():
        assert re.search(rf"--{token}:\s*{BAND_COLOURS[band]};", css), band


def test_the_pdf_stylesheet_draws_the_band_colours():
    css = (ROOT / "reports/static/reports/pdf.css").read_text()
    for band, colour in BAND_COLOURS.items():
        assert re.search(rf"\.band-{band}\s*\{{\s*color:\s*{colour};", css), band


def test_no_stylesheet_or_chart_keeps_an_older_band_palette():
    older = ["#2e7d4f", "#a06d00", "#c0392b", "#c98a00", "#b7791f", "#7a8699", "#8a94a6"]
    files = [ROOT / "reports/static/reports/pdf.css", ROOT / "reports/dashboard/svg.py", ROOT / "reports/pdf/charts.py"]
    for path in files:
        text = path.read_text().lower()
        assert not [colour for colour in older if colour in text], path.name
