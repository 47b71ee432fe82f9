"""Monte Carlo forecast of when the remaining cards will be done, from weekly throughput.

Each trial draws weeks at random (uniformly, with replacement, from a seeded
generator) from the sampled weekly completion counts, adding them up until the
remaining cards are covered; the trial's answer is the number of weeks it took. The 50%
and 85% answers are the nearest-rank percentiles of the trials, turned into
dates by counting that many weeks from the as-of moment.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .metrics import nearest_rank
from .schema import Forecast

__all__ = ["DEFAULT_TRIALS", "HORIZON_WEEKS", "MIN_WEEKS", "forecast_completion"]

DEFAULT_TRIALS = 10_000
#: Ten years: a forecast further out than this says ``beyond_horizon`` instead of a date.
HORIZON_WEEKS = 520
#: Fewer complete weeks than this to draw from, and the forecast says so rather than guess.
MIN_WEEKS = 2


def forecast_completion(
    samples: Sequence[int],
    remaining: int,
    *,
    start: datetime,
    tz: ZoneInfo,
    seed: int,
    trials: int = DEFAULT_TRIALS,
    horizon_weeks: int = HORIZON_WEEKS,
    min_weeks: int = MIN_WEEKS,
) -> Forecast:
    """The 50% and 85% completion forecast for ``remaining`` cards.

    ``samples`` are the completed counts of the weeks to draw from; with fewer
    than ``min_weeks`` of them the status is ``no_history`` (none) or
    ``too_few_weeks``. The same inputs and ``seed`` always give the same forecast.
    """
    if trials < 1:
        raise ValueError("trials must be at least 1")
    samples = tuple(int(count) for count in samples)

    def result(status: str, weeks_50: int | None = None, weeks_85: int | None = None) -> Forecast:
        def when(weeks: int | None) -> date | None:
            return None if weeks is None else (start + timedelta(weeks=weeks)).astimezone(tz).date()

        return Forecast(
            status=status,
            remaining=remaining,
            trials=trials if status == "ok" else 0,
            seed=seed,
            sample_weeks=samples,
            weeks_50=weeks_50,
            weeks_85=weeks_85,
            date_50=when(weeks_50),
            date_85=when(weeks_85),
            weeks_sampled=len(samples),
            min_weeks=min_weeks,
        )

    if remaining <= 0:
        return result("done", 0, 0)
    if not samples:
        return result("no_history")
    if len(samples) < min_weeks:
        return result("too_few_weeks")
    total = sum(samples)
    if total == 0:
        return result("no_throughput")
    mean = total / len(samples)
    if remaining / mean > horizon_weeks:
        return result("beyond_horizon")
    outcomes = _trials(samples, remaining, random.Random(seed), trials, horizon_weeks)
    outcomes.sort()
    weeks_50, weeks_85 = nearest_rank(outcomes, 50), nearest_rank(outcomes, 85)
    if weeks_50 > horizon_weeks:
        return result("beyond_horizon")
    return result("ok", int(weeks_50), int(weeks_85) if weeks_85 <= horizon_weeks else None)


def _trials(samples: tuple[int, ...], remaining: int, rng: random.Random, trials: int, horizon: int) -> list[int]:
    """The weeks each trial needs (``horizon + 1`` when it would need more).

    Weeks are drawn as one stream of random bytes mapped to sample indices
    (bytes that would bias the mapping are dropped), so a draw costs one loop
    step rather than a call into ``random``; each trial takes the next draws.
    """
    count = len(samples)
    outcomes: list[int] = []
    weeks = total = 0
    if count > 256:  # more weeks than one byte can pick from: one call per draw
        stream: Iterator[Iterable[int]] = iter(lambda: [rng.randrange(count) for _ in range(4096)], None)
    else:
        table = bytes(value % count for value in range(256))
        biased = bytes(range(256 - 256 % count, 256))
        stream = iter(lambda: rng.randbytes(1 << 16).translate(table, biased), None)
    for block in stream:
        for index in block:
            total += samples[index]
            weeks += 1
            if total >= remaining or weeks > horizon:
                outcomes.append(weeks)
                if len(outcomes) == trials:
                    return outcomes
                weeks = total = 0
    raise AssertionError("unreachable: the stream of draws is endless")
