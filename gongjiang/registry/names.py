"""Canonical title and programme names (policies/vocabulary.yaml).

The policy engine matches titles and programmes by exact name, so the registry stores the canonical
name of whatever an officer typed or a file held (惠州市市管首席技师 -> 市管首席技师) and keeps the raw
text in `raw_name`. A name the vocabulary does not know is stored as typed: no policy names it yet.
"""
from gongjiang.policy.loader import vocabulary

from .models import ProgrammeCode, TitleCode

_NOT_A_NAME = {TitleCode.OTHER, TitleCode.PLATFORM_HONOUR, ProgrammeCode.OTHER}


def _code_of_label(choices):
    return {label: code for code, label in choices if code not in _NOT_A_NAME}


def _normalise(kind, choices, other, code, name):
    raw = (name or "").strip()
    if not raw:
        return code, "", ""
    canonical = vocabulary().normalise(kind, raw)
    by_label = _code_of_label(choices)
    return by_label.get(canonical, code or other), canonical, raw


def normalise_title(code: str, name: str) -> tuple[str, str, str]:
    """(code, canonical name, raw name) of a title row; the code follows a recognised name."""
    return _normalise("titles", TitleCode.choices, TitleCode.OTHER, code, name)


def normalise_programme(code: str, name: str) -> tuple[str, str, str]:
    return _normalise("programmes", ProgrammeCode.choices, ProgrammeCode.OTHER, code, name)


def apply_to(row) -> None:
    """Normalise a TitleAward or ProgrammeMembership instance in place (before saving)."""
    from .models import TitleAward

    fn = normalise_title if isinstance(row, TitleAward) else normalise_programme
    typed = row.raw_name if row.raw_name and row.name == row.raw_name else row.name
    row.code, row.name, raw = fn(row.code, typed)
    row.raw_name = raw
