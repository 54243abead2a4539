"""The number-phrasing table: the issue's examples, then boundary cases around each rule."""

import pytest

from dangjian.reports.phrasing import approximate

TABLE = [
    # The examples.
    (83, "80余"),
    (105, "100余"),
    (137, "130余"),
    (586, "近600"),
    (600, "600"),
    (616, "600余"),
    (3712, "3700余"),
    (12, "12"),
    # Boundaries, each chosen for the rule it pins down.
    (0, "0"),  # nothing is still a number
    (19, "19"),  # below 20: exact
    (20, "20"),  # first count with a step: an exact multiple stays exact
    (21, "20余"),  # just over a multiple: "余"
    (27, "20余"),  # 3 below 30 is more than a fifth of the step (2): not yet "近"
    (28, "近30"),  # 2 below 30: within a fifth of the step
    (100, "100"),  # a round hundred with the tens step
    (108, "100余"),  # 2 below 110, but 110 is not a round number: no "近" (the seed's 108)
    (3790, "3700余"),  # 10 below 3800, not a round number either
    (198, "近200"),  # tens step up to 199: 2 below 200
    (199, "近200"),
    (200, "200"),  # the hundreds step starts at 200
    (201, "200余"),
    (279, "200余"),  # 21 below 300: outside a fifth of 100
    (280, "近300"),  # 20 below 300: "近"
    (3700, "3700"),
    (9980, "近1万"),  # the step above 9,900 is 10,000, written in 万
    (9999, "近1万"),
    (10_000, "1万"),
    (12_345, "1.2万余"),  # thousands step in 万
    (100_000, "10万"),
    (105_500, "10.5万余"),
]


@pytest.mark.parametrize(("count", "phrase"), TABLE)
def test_counts_are_phrased_as_chinese_reports_phrase_them(count, phrase):
    assert approximate(count) == phrase


def test_a_negative_count_is_a_programming_error():
    with pytest.raises(ValueError):
        approximate(-1)
