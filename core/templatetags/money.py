"""{{ amount|money }}: an amount in the firm's currency ('£51,000'); {% currency_symbol %}: '£'."""

from __future__ import annotations

from decimal import Decimal

from django import template

from core import money as money_rules

register = template.Library()


@register.filter
def money(value: Decimal | float | int | str | None, places: int = 0) -> str:
    return money_rules.format_money(value, places=int(places))


@register.simple_tag
def currency_symbol() -> str:
    return money_rules.currency_symbol()
