"""Signals of the working-day calendar.

`year_entered(year)`: an administrator confirmed a year's schedule; deadlines that could not be
computed before (e.g. objections received late in December) can now be computed.
"""
from django.dispatch import Signal

year_entered = Signal()
