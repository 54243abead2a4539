"""Masking of personal data for display. The full value is shown only to viewers with the
personal-data right; everything else shows these forms."""


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
