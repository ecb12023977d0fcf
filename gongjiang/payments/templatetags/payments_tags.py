from django import template

from gongjiang.payments.schedule import yuan_grouped

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen shown as 元 with two decimals: 500000 -> 5,000.00."""
    return "" if fen is None or fen == "" else yuan_grouped(fen)
