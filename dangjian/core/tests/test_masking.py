import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("12011619850312123X", "120116********123X"),
        ("11010519491231002X", "110105********002X"),
        ("440301200002290017", "440301********0017"),
    ],
)
def test_id_number_is_masked_hiding_the_birth_date(number, masked):
    assert mask_id_number(number) == masked
    assert number[6:14] not in mask_id_number(number)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812345678", "138****5678"), ("19900001111", "199****1111")],
)
def test_phone_is_masked_hiding_the_middle_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone])
@pytest.mark.parametrize("value", ["", None])
def test_missing_value_is_masked_as_empty(mask, value):
    assert mask(value) == ""


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110105491231002", "*" * 15),  # old 15-digit number
        ("11010519491231002", "*" * 17),
        ("11010519491231002X1", "*" * 19),
        ("1", "*"),
    ],
)
def test_id_number_of_unexpected_length_is_all_stars(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("1381234567", "*" * 10), ("138123456789", "*" * 12), ("+8613812345678", "*" * 14)],
)
def test_phone_of_unexpected_length_is_all_stars(phone, masked):
    assert mask_phone(phone) == masked


@given(st.text(min_size=1).filter(lambda s: len(s) != 18))
def test_id_number_of_any_other_length_leaks_nothing(number):
    assert mask_id_number(number) == "*" * len(number)


@given(st.text(min_size=1).filter(lambda s: len(s) != 11))
def test_phone_of_any_other_length_leaks_nothing(phone):
    assert mask_phone(phone) == "*" * len(phone)


@given(st.text(min_size=18, max_size=18))
def test_masked_id_number_keeps_only_region_and_last_four(number):
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert masked[:6] == number[:6] and masked[14:] == number[14:]
