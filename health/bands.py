"""The colour of each health band, in one place.

Every surface draws bands in these colours: the pages' CSS custom properties (`--green`, `--amber`,
`--red`, `--grey` in static/css/keyline.css), the dashboard's SVG charts, and the PDF reports' charts
and stylesheet. CSS cannot import Python, so tests/health/test_bands.py pins both stylesheets to these
values.
"""

from __future__ import annotations

GREEN = "#1e7b4a"
AMBER = "#975a00"
RED = "#b3261e"
INSUFFICIENT = "#6b7280"

BAND_COLOURS: dict[str, str] = {"green": GREEN, "amber": AMBER, "red": RED, "insufficient": INSUFFICIENT}
