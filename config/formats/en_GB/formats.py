"""British English, with ISO first among the input formats.

Django renders a form's date with the first input format; a ``<input type="date">`` accepts only
ISO (2026-11-30), so with the locale's 30/11/2026 first every pre-filled date input showed empty.
Typed British dates are still understood.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
