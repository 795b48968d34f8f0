"""Status derivation: the rules of SPEC.md (Status) on hand-made histories."""

from __future__ import annotations

import datetime as dt

from treatygraph.inference import StatusEntry, StatusPeriod, effective_date, status_history
from treatygraph.namespaces import ID, TG, XSD

D = dt.date


def entry(day: D, stage: int, status: str) -> StatusEntry:
    return StatusEntry(day, stage, TG[status], ID["event/x"])


def test_effective_dates_wait_for_the_whole_period() -> None:
    assert effective_date("2024-07", str(XSD.gYearMonth)) == D(2024, 7, 31)
    assert effective_date("2024-02", str(XSD.gYearMonth)) == D(2024, 2, 29)
    assert effective_date("1996", str(XSD.gYear)) == D(1996, 12, 31)
    assert effective_date("2024-07-08", str(XSD.date)) == D(2024, 7, 8)
    assert effective_date("July", str(XSD.string)) is None
    assert effective_date("2024-13", str(XSD.gYearMonth)) is None


def test_history_orders_by_date_then_stage() -> None:
    periods = status_history(
        [
            entry(D(2024, 7, 8), 5, "InForce"),
            entry(D(2024, 7, 8), 2, "Signed"),
            entry(D(2023, 11, 1), 1, "UnderNegotiation"),
        ]
    )
    assert periods == [
        StatusPeriod(TG.UnderNegotiation, D(2023, 11, 1), D(2024, 7, 8)),
        StatusPeriod(TG.InForce, D(2024, 7, 8), None),
    ]


def test_repeated_status_is_one_period() -> None:
    periods = status_history(
        [entry(D(2024, 7, 8), 2, "Signed"), entry(D(2024, 7, 31), 2, "Signed")]
    )
    assert periods == [StatusPeriod(TG.Signed, D(2024, 7, 8), None)]


def test_no_entries_no_periods() -> None:
    assert status_history([]) == []
