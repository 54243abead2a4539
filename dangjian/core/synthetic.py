"""Synthetic but well-formed personal data for the demo district and tests. Deterministic for
a given `random.Random`; never a real person's data (numbers are random, not looked up)."""

import datetime as dt
import random

from dangjian.core.validators import USCC_ALPHABET, id_check_char, uscc_check_char

# Tianjin's region codes (GB/T 2260): 滨海新区 and neighbouring districts.
TIANJIN_REGIONS = [
    "120116",
    "120101",
    "120102",
    "120103",
    "120104",
    "120105",
    "120110",
    "120111",
    "120112",
    "120113",
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "158",
    "159",
    "176",
    "177",
    "180",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]


def id_number(rng: random.Random, *, born: dt.date, male: bool, region: str | None = None) -> str:
    region = region or rng.choice(TIANJIN_REGIONS)
    sequence = rng.randrange(0, 100) * 10 + rng.randrange(1 if male else 0, 10, 2)
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def birth_date(rng: random.Random, *, min_age: int, max_age: int, today: dt.date) -> dt.date:
    oldest = today.replace(year=today.year - max_age)
    span = (today.replace(year=today.year - min_age) - oldest).days
    return oldest + dt.timedelta(days=rng.randrange(span))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def credit_code(rng: random.Random, *, region: str = "120116") -> str:
    """91 (enterprise, company) + region + 9-character organization code + check."""
    org_code = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    first17 = f"91{region}{org_code}"
    return first17 + uscc_check_char(first17)
