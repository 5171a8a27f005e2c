"""Validators shared by model fields, and so by the services' full_clean, the page forms and the API."""

import datetime

from django.core.exceptions import ValidationError

# Every date a person enters (interactions, due dates, assignments, measurements…) lies in this range:
# earlier or later ones are typing slips, and dates near the calendar's ends break date arithmetic.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)
DATE_RANGE_MESSAGE = "Enter a date between 1 January 1900 and 31 December 2099."


def sensible_date(value: datetime.date) -> None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_out_of_range")
