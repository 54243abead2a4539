"""Validators for Chinese identifiers. Each returns the normalised value or raises
`ValidationError` with a Chinese message that says what is wrong.

- ID number (居民身份证号码), GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check character.
- Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-letter
  alphabet + MOD 31 check character.
- Mainland mobile number: 11 digits starting 13-19.
"""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone

# GB/T 2260 province-level codes (the first two digits of an ID number's region code).
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63"}
    | {"64", "65", "71", "81", "82"}
)
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
ID_CHECK_CHARS = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = [3**i % 31 for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28

MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def normalize_code(value: str) -> str:
    """Full-width to half-width, no spaces, upper case: what people type or paste. Digits of
    any script become ASCII, so one number has one stored form (NFKC leaves ٣ or ३ alone)."""
    value = unicodedata.normalize("NFKC", str(value or ""))
    value = "".join(_ascii_digit(c) for c in value)
    return re.sub(r"[\s\-]", "", value).upper()


def _ascii_digit(char: str) -> str:
    digit = unicodedata.decimal(char, None)
    return str(digit) if digit is not None else char


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str) -> str:
    number = normalize_code(value)
    if not number:
        raise ValidationError("请填写身份证号", code="id_required")
    if len(number) != 18:
        raise ValidationError(f"身份证号应为18位，现为{len(number)}位", code="id_length")
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise ValidationError("身份证号前17位应为数字，第18位为数字或X", code="id_format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            f"身份证号前两位“{number[:2]}”不是有效的省级行政区划代码", code="id_region"
        )
    _check_birth_date(number[6:14])
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            f"身份证号校验位不符（末位应为“{expected}”，填写的是“{number[17]}”），请核对是否有输错的数字",
            code="id_checksum",
        )
    return number


def _check_birth_date(text: str) -> None:
    try:
        born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValidationError(
            f"身份证号中的出生日期“{text}”不是有效日期", code="id_birth_date"
        ) from None
    if born > timezone.localdate():
        raise ValidationError(f"身份证号中的出生日期“{text}”晚于今天", code="id_birth_future")
    if born.year < 1900:
        raise ValidationError(f"身份证号中的出生日期“{text}”早于1900年", code="id_birth_date")


def birth_date_from_id(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_id(number: str) -> str:
    """'M' or 'F' from the 17th digit (odd for men)."""
    return "M" if int(number[16]) % 2 else "F"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    code = normalize_code(value)
    if not code:
        raise ValidationError("请填写统一社会信用代码", code="uscc_required")
    if len(code) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，现为{len(code)}位", code="uscc_length")
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用I、O、S、V、Z）",
            code="uscc_format",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            "统一社会信用代码第3至8位应为行政区划代码（数字）", code="uscc_region"
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            f"统一社会信用代码校验位不符（末位应为“{expected}”，填写的是“{code[17]}”），请核对",
            code="uscc_checksum",
        )
    return code


def validate_mobile(value: str) -> str:
    phone = normalize_code(value)
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        raise ValidationError("请填写手机号", code="phone_required")
    if not phone.isdigit():
        raise ValidationError("手机号只能包含数字", code="phone_format")
    if len(phone) != 11:
        raise ValidationError(f"手机号应为11位，现为{len(phone)}位", code="phone_length")
    if not MOBILE_RE.fullmatch(phone):
        raise ValidationError("手机号应以13至19开头", code="phone_prefix")
    return phone
