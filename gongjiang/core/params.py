"""Reading numbers from request input without trusting it: anything a visitor types into a query string
or a form field is text, may be empty, non-numeric, negative or 40 digits long. These helpers turn it
into an int within bounds or None, so a view never hands `"abc"` or 2**64 to the database."""
MAX_ID = 2**63 - 1  # the largest value of a bigint primary key on both databases


def int_or_none(value, *, lo: int = 0, hi: int = MAX_ID) -> int | None:
    """An int in lo..hi parsed from text (surrounding blanks allowed), else None."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 20 or not text.lstrip("-").isdigit() or not text.lstrip("-").isascii():
        return None
    number = int(text)
    return number if lo <= number <= hi else None


def id_or_none(value) -> int | None:
    """A database id (1..2**63-1) from request input, else None."""
    return int_or_none(value, lo=1)
