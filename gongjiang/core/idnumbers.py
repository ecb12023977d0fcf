"""Check characters of Chinese identity numbers, implemented to the standard.

python-stdnum rejects real ID numbers with retired region codes and valid credit codes starting
with a letter, so the two check characters are computed here (GB 11643-1999 and GB 32100-2015).
An unknown region code is a warning, never a rejection.
"""
import datetime as dt
import re
from dataclasses import dataclass, field

RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Province-level codes of GB/T 2260 (first two digits of a resident ID number).
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
}
USCC_REGISTRARS = set("123456789ANY")


class IdNumberError(ValueError):
    """A number that fails its standard; `message` is for users (Chinese)."""

    def __init__(self, message, english):
        super().__init__(english)
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str  # "M" / "F"
    region_code: str
    warnings: list = field(default_factory=list, compare=False)


def ric_check_char(first17: str) -> str:
    return RIC_CHECK[sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS)) % 11]


def parse_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate an 18-character resident ID number (GB 11643) and derive birth date and gender."""
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdNumberError("身份证号码应为18位，前17位为数字，最后一位为数字或X", f"bad ID number format: {len(number)} chars")
    if ric_check_char(number[:17]) != number[17]:
        raise IdNumberError("身份证号码校验位不正确，请核对", "ID number check character mismatch")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("身份证号码中的出生日期不存在", "ID number birth date invalid") from None
    today = today or dt.date.today()
    if birth > today:
        raise IdNumberError("身份证号码中的出生日期晚于今天", "ID number birth date in the future")
    if birth.year < 1900:
        raise IdNumberError("身份证号码中的出生日期早于1900年", "ID number birth date before 1900")
    warnings = []
    if number[:2] not in PROVINCE_CODES:
        warnings.append(f"行政区划代码 {number[:6]} 不在已知省级代码中，请人工核对")
    gender = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number, birth, gender, number[:6], warnings)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Validate a 统一社会信用代码 (GB 32100) and return it normalised."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        raise IdNumberError("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）", "bad USCC format")
    if code[0] not in USCC_REGISTRARS:
        raise IdNumberError("统一社会信用代码第1位（登记管理部门代码）无效", "bad USCC registrar code")
    if uscc_check_char(code[:17]) != code[17]:
        raise IdNumberError("统一社会信用代码校验位不正确，请核对", "USCC check character mismatch")
    return code


def make_resident_id(region: str, birth: dt.date, seq: int, *, female: bool) -> str:
    """Build a valid number (for demo data and tests): seq 0..499 gives the 3-digit sequence."""
    order = seq * 2 + (0 if female else 1)
    first17 = f"{region}{birth:%Y%m%d}{order % 1000:03d}"
    return first17 + ric_check_char(first17)


def make_uscc(body: str) -> str:
    """Complete a 17-character credit-code body with its check character."""
    return body + uscc_check_char(body)
