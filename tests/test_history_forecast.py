"""The Monte Carlo forecast: seeded, exact on degenerate inputs, and honest when it cannot say."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from trelloplan.history.forecast import forecast_completion

START = datetime(2027, 3, 5, 16, 0, tzinfo=timezone.utc)
UTC = ZoneInfo("UTC")


def test_constant_throughput_gives_an_exact_answer() -> None:
    f = forecast_completion([5, 5, 5], 12, start=START, tz=UTC, seed=1, trials=500)
    assert (f.status, f.weeks_50, f.weeks_85, f.trials) == ("ok", 3, 3, 500)
    assert f.date_50 == f.date_85 == date(2027, 3, 26)


def test_the_same_seed_gives_the_same_forecast_and_dates_follow_the_zone() -> None:
    samples = [0, 3, 1, 7, 2, 4]
    a = forecast_completion(samples, 40, start=START, tz=UTC, seed=42)
    assert a == forecast_completion(samples, 40, start=START, tz=UTC, seed=42)
    assert a.weeks_50 <= a.weeks_85 and a.status == "ok"
    late = datetime(2027, 3, 5, 23, 30, tzinfo=timezone.utc)
    tokyo = forecast_completion([5, 5], 5, start=late, tz=ZoneInfo("Asia/Tokyo"), seed=1, trials=10)
    assert tokyo.date_50 == date(2027, 3, 13)  # one week after Saturday 08:30 in Tokyo


def test_the_50_and_85_percent_answers_are_nearest_rank_percentiles_of_the_trials() -> None:
    f = forecast_completion([1, 3], 3, start=START, tz=UTC, seed=7, trials=2000)
    # A trial ends after 1 week (draw 3) half the time, else after 2 (1+3, 1+1+...) or 3 weeks (1, 1, 1)
    assert f.weeks_50 in (1, 2) and f.weeks_85 in (2, 3)


@pytest.mark.parametrize(
    ("samples", "remaining", "status"),
    [([3, 4], 0, "done"), ([], 5, "no_history"), ([4], 5, "too_few_weeks"), ([0, 0, 0], 5, "no_throughput"),
     ([1, 1], 10_000, "beyond_horizon")],
)
def test_when_there_is_no_forecast(samples: list[int], remaining: int, status: str) -> None:
    f = forecast_completion(samples, remaining, start=START, tz=UTC, seed=0)
    assert f.status == status and f.sample_weeks == tuple(samples)
    assert (f.weeks_sampled, f.min_weeks) == (len(samples), 2)
    if status == "done":
        assert f.weeks_50 == 0 and f.date_50 == date(2027, 3, 5)
    else:
        assert f.date_50 is None and f.date_85 is None and f.trials == 0


def test_an_85_percent_answer_beyond_the_horizon_is_left_out() -> None:
    f = forecast_completion([0] * 9 + [50], 40, start=START, tz=UTC, seed=3, trials=300, horizon_weeks=12)
    assert f.status == "ok" and f.weeks_50 is not None and f.weeks_85 is None and f.date_85 is None
    with pytest.raises(ValueError):
        forecast_completion([1], 1, start=START, tz=UTC, seed=0, trials=0)


def test_many_sample_weeks_are_all_drawn_from() -> None:
    samples = [0] * 299 + [10]  # only the last week completes anything
    f = forecast_completion(samples, 10, start=START, tz=UTC, seed=5, trials=50, horizon_weeks=10_000)
    assert f.status == "ok" and 1 <= f.weeks_50 <= f.weeks_85
