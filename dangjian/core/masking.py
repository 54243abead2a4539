"""Masking of personal data for display. The full value is shown only to viewers with the
personal-data right; everything else shows these forms."""

import re


def mask_id_number(number: str | None) -> str:
    """120116********123X: region code and last four kept, the 8 birth-date digits hidden."""
    if not number:
        return ""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}********{number[14:]}"


def mask_phone(phone: str | None) -> str:
    """138****5678."""
    if not phone:
        return ""
    if len(phone) != 11:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[7:]}"


# Free text (a deed's description, a resident's request) may carry someone's mobile or ID
# number; public pages show it only through `redact`.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def redact(text: str | None) -> str:
    """The text with every ID number and phone number in it replaced by a masked form."""
    if not text:
        return ""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _PHONE_IN_TEXT.sub("1**********", text)
    return _LANDLINE_IN_TEXT.sub("0***-********", text)
