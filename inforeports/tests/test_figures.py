"""The published figures keep the project's small-number rule (core.numbers, threshold 5):
1 to 4 print as "fewer than 5", 0 and 5 as themselves, a total that would give a hidden part
away is withheld, and no share or change is worked out from a hidden count. And the text
changes read word by word."""

import datetime as dt

import pytest

from core.numbers import Count
from inforeports import diff
from inforeports.selectors import FigureChange, _figure_changes, published_figures

CENSUS = dt.date(2026, 10, 1)


def figures(ehcp, sen_support, by_need=None, nor=200):
    return published_figures(
        CENSUS, {"number_on_roll": nor, "ehcp": ehcp, "sen_support": sen_support, "by_need": by_need or {}}
    )


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0"),
        (1, "fewer than 5"),
        (4, "fewer than 5"),
        (5, "5"),
        (6, "6"),
    ],
)
def test_a_count_is_shown_only_from_the_threshold(settings, count, shown):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 5
    f = figures(count, count)
    assert str(f.ehcp) == shown and str(f.sen_support) == shown


def test_the_threshold_is_the_projects_setting(settings):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 10
    f = figures(9, 10)
    assert str(f.ehcp) == "fewer than 10" and str(f.sen_support) == "10"
    assert f.threshold == 10


def test_a_total_next_to_one_hidden_part_is_withheld_and_has_no_share(settings):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 5
    f = figures(3, 40)
    assert [str(c) for _, c, _ in f.provision_rows] == ["40", "fewer than 5", "withheld"]
    assert [share for _, _, share in f.provision_rows] == [pytest.approx(20), None, None]


def test_needs_are_suppressed_cell_by_cell(settings):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 5
    f = figures(6, 30, {"SLCN": {"E": 4, "K": 20}, "SEMH": {"E": 2, "K": 2}, "HI": {"E": 0, "K": 5}})
    rows = {r.key: (str(r.sen_support), str(r.ehcp), str(r.total)) for r in f.needs}
    assert rows == {
        "SLCN": ("20", "fewer than 5", "withheld"),
        "SEMH": ("fewer than 5", "fewer than 5", "fewer than 5"),
        "HI": ("5", "0", "5"),
    }


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (Count(10), Count(12), "+2"),
        (Count(12), Count(10), "−2"),
        (Count(7), Count(7), "no change"),
        (Count(10), Count(3, suppressed=True), "not shown (small numbers)"),
        (Count(3, suppressed=True), Count(10), "not shown (small numbers)"),
        (Count(10, withheld=True), Count(12), "not shown (small numbers)"),
        (None, Count(5), "not comparable"),
    ],
)
def test_a_change_is_shown_only_between_two_shown_counts(before, after, change):
    assert FigureChange("x", before, after).change == change


def test_figure_changes_list_every_need_of_either_year(settings):
    settings.REPORTS_SMALL_COUNT_THRESHOLD = 5
    rows = _figure_changes(
        figures(6, 30, {"SLCN": {"E": 6, "K": 30}}),
        figures(6, 33, {"SLCN": {"E": 6, "K": 25}, "ASD": {"E": 0, "K": 8}}),
    )
    by_label = {r.label: r.change for r in rows}
    assert by_label["SEN Support"] == "+3"
    assert by_label["Primary need: Speech, language and communication needs"] == "−5"
    assert by_label["Primary need: Autistic spectrum disorder"] == "+8"


def test_text_changes_read_word_by_word():
    runs = diff.text_diff(
        "We meet parents each term.\n\nCall the office.",
        "We meet parents every half term.\n\nCall the office.",
    )
    assert [(r.kind, r.text) for r in runs] == [
        ("same", "We meet parents "),
        ("removed", "each"),
        ("added", "every half"),
        ("same", " term.\n\nCall the office."),
    ]
    assert diff.changed(runs)
    assert not diff.changed(diff.text_diff("Same.\r\n", "Same."))
    assert [(r.kind, r.text) for r in diff.text_diff("", "New text.")] == [("added", "New text.")]


def test_a_rewritten_paragraph_shows_whole_rather_than_word_by_word():
    runs = diff.text_diff(
        "Trust policy on kinds.\n\nKept as it was.",
        "Our schools provide for all four areas.\n\nKept as it was.",
    )
    assert [(r.kind, r.text) for r in runs] == [
        ("removed", "Trust policy on kinds."),
        ("added", "Our schools provide for all four areas."),
        ("same", "\n\nKept as it was."),
    ]
    runs = diff.text_diff("One.", "One.\n\nA new paragraph.")
    assert [(r.kind, r.text) for r in runs] == [("same", "One.\n\n"), ("added", "A new paragraph.")]
