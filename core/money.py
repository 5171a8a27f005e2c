"""Money as the firm shows it: one currency (settings.FIRM_CURRENCY, an ISO 4217 code), its symbol,
and one way of writing an amount, shared by pages, PDFs and spreadsheet exports."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_symbol
from django.conf import settings

# Symbols as an English-speaking reader of the firm's reports expects them ("£", "€", "US$" is
# Babel's en_GB answer for USD, which keeps dollars apart from other dollars).
LOCALE = "en_GB"
NO_VALUE = "—"


def currency_code() -> str:
    return settings.FIRM_CURRENCY


def currency_symbol(code: str | None = None) -> str:
    """The symbol for the code (the firm's currency by default); the code itself if it has none."""
    return get_currency_symbol(code or currency_code(), locale=LOCALE)


def format_money(amount: Decimal | float | int | str | None, *, places: int = 0, code: str | None = None) -> str:
    """'£51,000' (or '-£1,200'): whole units unless places says otherwise; None or text that is no
    number reads as a dash, never as £0."""
    if amount is None or amount == "":
        return NO_VALUE
    try:
        value = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return NO_VALUE
    symbol = currency_symbol(code)
    text = f"{abs(value):,.{places}f}"
    joined = f"{symbol}{text}" if len(symbol) == 1 else f"{symbol} {text}"
    return f"-{joined}" if value < 0 else joined


def excel_money_format(places: int = 0, code: str | None = None) -> str:
    """A spreadsheet number format that shows the symbol and keeps the cell a number."""
    symbol = currency_symbol(code).replace('"', "")
    decimals = "." + "0" * places if places else ""
    return f'"{symbol}"#,##0{decimals};-"{symbol}"#,##0{decimals}'
