"""Counts phrased the way Chinese reports phrase them: "100余个党组织", "近600人", "3700余名党员".

The rule (`approximate`):
1. Below 20, and any exact multiple of its step, the number is given as it is: 12, 600.
2. Otherwise the step is 10 below 200, 100 below 10,000, and 1,000 from 10,000 up (written in
   万, e.g. 1.2万). A count just under the next step, closer to it than a fifth of a step, is
   "近" that step when the step is a round number of one significant figure: 586 → 近600,
   29 → 近30, 9990 → 近1万 (but 108 → 100余, not 近110: reports approach round numbers only).
   Any other count is its step rounded down, plus "余": 83 → 80余, 137 → 130余, 616 → 600余,
   3712 → 3700余.

The step grows with the number because reports round to what a reader keeps in mind: tens
for a hundred-odd organizations, hundreds for hundreds of people. The exact figure always stays
available beside the phrase (`Figure.exact` in briefings)."""

NEAR_FRACTION = 5  # within step / 5 below the next step: "近"


def approximate(count: int) -> str:
    if count < 0:
        raise ValueError("a count cannot be negative")
    step = _step(count)
    if count < 20 or count % step == 0:
        return _written(count)
    ceiling = (count // step + 1) * step
    if _is_round(ceiling) and (ceiling - count) * NEAR_FRACTION <= step:
        return f"近{_written(ceiling)}"
    return f"{_written(count // step * step)}余"


def _is_round(number: int) -> bool:
    """One significant figure: 30, 600, 10000 (not 110 or 3800)."""
    magnitude = 10 ** (len(str(number)) - 1)
    return number % magnitude == 0


def _step(count: int) -> int:
    if count < 200:
        return 10
    if count < 10_000:
        return 100
    return 1_000


def _written(number: int) -> str:
    """Numbers from 10,000 up in 万, as reports write them: 12000 → 1.2万, 100000 → 10万."""
    if number < 10_000:
        return str(number)
    wan = number / 10_000
    text = f"{wan:.1f}".rstrip("0").rstrip(".")
    return f"{text}万"
