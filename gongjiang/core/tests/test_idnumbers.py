import datetime as dt

import pytest

from gongjiang.core.idnumbers import (
    IdNumberError, make_resident_id, make_uscc, parse_resident_id, validate_uscc,
)
from gongjiang.core.masking import mask_id_number, mask_phone


def test_resident_id_valid_derives_birth_and_gender():
    rid = parse_resident_id("11010519491231002X")  # the standard's own example
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.gender == "F"
    assert rid.warnings == []


def test_resident_id_bad_check_char_rejected_in_chinese():
    with pytest.raises(IdNumberError) as e:
        parse_resident_id("110105194912310021")
    assert "校验位" in e.value.message


def test_resident_id_future_birth_rejected():
    number = make_resident_id("441303", dt.date(2030, 1, 1), 1, female=False)
    with pytest.raises(IdNumberError) as e:
        parse_resident_id(number, today=dt.date(2026, 11, 21))
    assert "晚于今天" in e.value.message


def test_resident_id_impossible_date_rejected():
    first17 = "44130319900230001"
    from gongjiang.core.idnumbers import ric_check_char
    with pytest.raises(IdNumberError):
        parse_resident_id(first17 + ric_check_char(first17))


def test_resident_id_unknown_region_is_warning_not_rejection():
    number = make_resident_id("991234", dt.date(1980, 5, 5), 3, female=True)
    rid = parse_resident_id(number)
    assert rid.gender == "F" and rid.warnings


def test_uscc_valid_codes_including_letter_first():
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
    code = make_uscc("N1441300MJ0000000")
    assert validate_uscc(code.lower()) == code


def test_uscc_bad_check_char_rejected():
    with pytest.raises(IdNumberError) as e:
        validate_uscc("91350100M000100Y44")
    assert "校验位" in e.value.message


def test_uscc_forbidden_letter_rejected():
    with pytest.raises(IdNumberError):
        validate_uscc("91350100M000100I43")


def test_masks_keep_only_ends():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"
