"""Validators for ID numbers (GB 11643), unified social credit codes (GB 32100) and mobiles.

The generators of valid codes below compute the check characters from the standards'
definitions on their own; they deliberately share nothing with `dangjian.core.validators`
except the functions under test, so a wrong weight table there cannot hide behind the same
wrong table here."""

import datetime as dt
import re
import string

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core.validators import validate_credit_code, validate_id_number, validate_mobile

CJK = re.compile(r"[\u4e00-\u9fff]")

# --- GB 11643-1999, ISO 7064 MOD 11-2 ----------------------------------------------------------

# Province-level codes of GB/T 2260 that appear on mainland resident ID cards.
PROVINCES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"
).split()


def id_check(first17: str) -> str:
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(first17[i]) * (2 ** (17 - i) % 11) for i in range(17))
    return "10X98765432"[total % 11]


def with_id_check(first17: str) -> str:
    return first17 + id_check(first17)


@st.composite
def id_numbers(draw) -> str:
    province = draw(st.sampled_from(PROVINCES))
    region = draw(st.text(string.digits, min_size=4, max_size=4))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=timezone.localdate()))
    sequence = draw(st.text(string.digits, min_size=3, max_size=3))
    return with_id_check(f"{province}{region}{born:%Y%m%d}{sequence}")


# --- GB 32100-2015, MOD 31 ---------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the 31 characters; no I, O, S, V, Z


def uscc_check(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * (3**i % 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def with_uscc_check(first17: str) -> str:
    assert len(first17) == 17
    return first17 + uscc_check(first17)


@st.composite
def credit_codes(draw) -> str:
    authority = draw(st.sampled_from("123456789ANY"))  # 登记管理部门代码
    category = draw(st.sampled_from("1239"))  # 机构类别代码
    region = draw(st.sampled_from(PROVINCES)) + draw(
        st.text(string.digits, min_size=4, max_size=4)
    )  # 登记管理机关行政区划码
    organization = draw(st.text(USCC_ALPHABET, min_size=9, max_size=9))  # 主体标识码
    return with_uscc_check(f"{authority}{category}{region}{organization}")


# --- helpers -----------------------------------------------------------------------------------

PRINTABLE_ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


def rejection(validator, value) -> ValidationError:
    """Assert `validator` rejects `value` with a Chinese message and a code; return the error."""
    with pytest.raises(ValidationError) as caught:
        validator(value)
    error = caught.value
    message = " ".join(error.messages)
    assert CJK.search(message), f"{value!r}: message without Chinese: {message!r}"
    assert error.code, f"{value!r}: ValidationError without a code"
    return error


def message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def substitute(text: str, position: int, char: str) -> str:
    return text[:position] + char + text[position + 1 :]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def in_script(digits: str, zero: int) -> str:
    """ASCII digits rewritten as another script's decimal digits (NFKC leaves these alone)."""
    return "".join(chr(zero + int(c)) for c in digits)


def rejected_or_ascii(validator, typed: str, expected: str) -> None:
    """Either a proper rejection, or exactly the ASCII form: never non-ASCII digits stored."""
    try:
        result = validator(typed)
    except ValidationError as error:
        assert CJK.search(message_of(error)) and error.code
        return
    assert result == expected


# Arabic-Indic, extended Arabic-Indic (Persian), Devanagari, Thai
OTHER_SCRIPT_ZEROS = [0x0660, 0x06F0, 0x0966, 0x0E50]
OTHER_SCRIPT_NAMES = ["arabic-indic", "persian", "devanagari", "thai"]


# --- ID number ---------------------------------------------------------------------------------


def test_published_id_number_example_is_accepted():
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_in_id_number_is_returned_as_upper_case():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "typed",
    [
        full_width("11010519491231002X"),
        full_width("11010519491231002x"),
        "110105 19491231 002X",
        " 110105\u300019491231\u3000002X ",
        full_width("110105") + " 19491231 002x",
    ],
)
def test_full_width_characters_and_spaces_in_id_number_are_normalised(typed):
    assert validate_id_number(typed) == "11010519491231002X"


@settings(max_examples=300)
@given(id_numbers())
def test_valid_id_number_is_accepted_unchanged(number):
    assert validate_id_number(number) == number


@settings(max_examples=300)
@given(id_numbers(), st.integers(0, 17), PRINTABLE_ASCII)
def test_single_character_change_in_id_number_is_rejected(number, position, char):
    changed = substitute(number, position, char)
    if char == number[position]:
        return
    if char.upper() == number[position]:
        # only x for X in the check position: the same number written in lower case
        assert validate_id_number(changed) == number
        return
    rejection(validate_id_number, changed)


@settings(max_examples=300)
@given(id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_single_digit_change_in_id_number_is_rejected(number, position, char):
    if char == number[position]:
        return
    rejection(validate_id_number, substitute(number, position, char))


@pytest.mark.parametrize("zero", OTHER_SCRIPT_ZEROS, ids=OTHER_SCRIPT_NAMES)
def test_id_number_with_other_script_digits_is_rejected_or_made_ascii(zero):
    typed = "11" + in_script("010519491231002", zero) + "X"
    rejected_or_ascii(validate_id_number, typed, "11010519491231002X")


def test_id_number_with_impossible_birth_date_is_rejected():
    number = with_id_check("110105" + "19850230" + "123")
    assert "出生日期" in message_of(rejection(validate_id_number, number))


def test_id_number_born_next_year_is_rejected():
    next_year = timezone.localdate().year + 1
    number = with_id_check(f"110105{next_year}0101123")
    assert "出生日期" in message_of(rejection(validate_id_number, number))


def test_id_number_born_tomorrow_is_rejected_and_born_today_is_accepted():
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert validate_id_number(with_id_check(f"110105{today:%Y%m%d}123"))
    number = with_id_check(f"110105{tomorrow:%Y%m%d}123")
    assert "出生日期" in message_of(rejection(validate_id_number, number))


def test_id_number_born_before_1900_is_rejected():
    number = with_id_check("110105" + "18991231" + "123")
    assert "出生日期" in message_of(rejection(validate_id_number, number))


def test_id_number_born_on_leap_day_is_accepted_only_in_leap_years():
    assert validate_id_number(with_id_check("110105" + "20000229" + "123"))
    number = with_id_check("110105" + "19000229" + "123")  # 1900 is not a leap year
    assert "出生日期" in message_of(rejection(validate_id_number, number))


@pytest.mark.parametrize("province", ["99", "00", "10", "20", "66", "90"])
def test_id_number_with_unknown_province_is_rejected(province):
    number = with_id_check(f"{province}0105" + "19850312" + "123")
    error = rejection(validate_id_number, number)
    assert "行政区划" in message_of(error)
    assert province in message_of(error)


@pytest.mark.parametrize("number", ["110105491231002", "11010519491231002"])
def test_id_number_of_wrong_length_is_rejected(number):
    assert "18位" in message_of(rejection(validate_id_number, number))


def test_id_number_with_wrong_check_digit_names_the_expected_digit():
    error = rejection(validate_id_number, "110105194912310021")
    assert "校验" in message_of(error)
    assert "“X”" in message_of(error)


@pytest.mark.parametrize(
    "number", ["1101051949123100XX", "X10105194912310021", "11010519491231002Y"]
)
def test_id_number_with_x_outside_last_position_or_other_letter_is_rejected(number):
    rejection(validate_id_number, number)


# --- unified social credit code ----------------------------------------------------------------


def test_published_credit_code_example_is_accepted():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "typed",
    [
        "91350100m000100y43",
        full_width("91350100M000100Y43"),
        full_width("91350100m000100y43"),
        "9135 0100 M000 100Y 43",
        "\u300091350100M000100Y43 ",
    ],
)
def test_credit_code_in_lower_case_full_width_or_with_spaces_is_normalised(typed):
    assert validate_credit_code(typed) == "91350100M000100Y43"


@settings(max_examples=300)
@given(credit_codes())
def test_valid_credit_code_is_accepted_unchanged(code):
    assert validate_credit_code(code) == code


@settings(max_examples=300)
@given(credit_codes())
def test_valid_credit_code_in_lower_case_is_accepted_in_upper_case(code):
    assert validate_credit_code(code.lower()) == code


@settings(max_examples=300)
@given(credit_codes(), st.integers(0, 17), PRINTABLE_ASCII)
def test_single_character_change_in_credit_code_is_rejected(code, position, char):
    changed = substitute(code, position, char)
    if char == code[position]:
        return
    if char.upper() == code[position]:
        # a change of letter case only: the validator upper-cases, so it is the same code
        assert validate_credit_code(changed) == code
        return
    rejection(validate_credit_code, changed)


@settings(max_examples=300)
@given(credit_codes(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_single_alphabet_character_change_in_credit_code_is_rejected(code, position, char):
    if char == code[position]:
        return
    rejection(validate_credit_code, substitute(code, position, char))


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z"])
@pytest.mark.parametrize("position", [0, 9, 16, 17])
def test_credit_code_with_letter_outside_alphabet_is_rejected_naming_it(bad, position):
    code = substitute("91350100M000100Y43", position, bad)
    error = rejection(validate_credit_code, code)
    # the message lists I, O, S, V and Z anyway; the bad one is named in quotation marks
    assert f"“{bad}”" in message_of(error)


def test_credit_code_with_lower_case_letter_outside_alphabet_is_rejected_naming_it():
    error = rejection(validate_credit_code, "91350100M000100o43")
    assert "“O”" in message_of(error)


def test_credit_code_with_letter_in_region_digits_is_rejected():
    code = with_uscc_check("91A50100M000100Y4")
    error = rejection(validate_credit_code, code)
    assert "行政区划" in message_of(error)


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_credit_code_of_wrong_length_is_rejected(code):
    assert "18位" in message_of(rejection(validate_credit_code, code))


def test_credit_code_with_wrong_check_character_names_the_expected_one():
    error = rejection(validate_credit_code, "91350100M000100Y44")
    assert "“3”" in message_of(error)


# --- mobile ------------------------------------------------------------------------------------


def test_mobile_number_is_accepted():
    assert validate_mobile("13812345678") == "13812345678"


@pytest.mark.parametrize(
    "typed", ["+86 138 1234 5678", "+8613812345678", "138-1234-5678", full_width("13812345678")]
)
def test_mobile_with_country_code_spaces_or_full_width_digits_is_normalised(typed):
    assert validate_mobile(typed) == "13812345678"


@pytest.mark.parametrize(
    "phone", ["12812345678", "10812345678", "1381234567", "138123456789", "1381234567a"]
)
def test_malformed_mobile_is_rejected(phone):
    rejection(validate_mobile, phone)


@pytest.mark.parametrize("zero", OTHER_SCRIPT_ZEROS, ids=OTHER_SCRIPT_NAMES)
def test_mobile_with_other_script_digits_is_rejected_or_made_ascii(zero):
    rejected_or_ascii(validate_mobile, "13" + in_script("812345678", zero), "13812345678")


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_mobile_with_any_prefix_from_13_to_19_is_accepted(prefix):
    assert validate_mobile(f"{prefix}912345678") == f"{prefix}912345678"


# --- empty input -------------------------------------------------------------------------------


@pytest.mark.parametrize("validator", [validate_id_number, validate_credit_code, validate_mobile])
@pytest.mark.parametrize("value", ["", None, "   ", "\u3000"])
def test_empty_input_is_rejected_as_required(validator, value):
    error = rejection(validator, value)
    assert "请填写" in message_of(error)
