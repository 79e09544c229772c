"""The event-log contract: each bad input and the message it gets; each repair rule and its count."""

from __future__ import annotations

import pandas as pd
import pytest

from communitylab import DataValidationError, validate_events, validate_members
from tests.conftest import NOW, tiny_events


def _with(**changes):
    df = tiny_events()
    for (row, col), value in changes.items() if isinstance(changes, dict) else []:
        df.loc[row, col] = value
    return df


BAD_EVENTS = [
    # (description, mutate(df) -> df, column named, rows named, words of the expectation)
    ("empty event id", lambda d: d.assign(event_id=d["event_id"].where(d.index != 3, None)), "event_id", [3], "non-empty"),
    ("unknown kind", lambda d: d.assign(kind=d["kind"].where(d.index != 5, "like")), "kind", [5], "one of"),
    ("unparseable time", lambda d: d.assign(created_at=d["created_at"].astype(str).where(d.index != 2, "yesterday")), "created_at", [2], "date-time"),
    ("missing time", lambda d: d.assign(created_at=d["created_at"].where(d.index != 4, pd.NaT)), "created_at", [4], "timestamp"),
    ("reply without parent", lambda d: d.assign(parent_id=d["parent_id"].where(d.index != 6, None)), "parent_id", [6], "parent_id"),
]


@pytest.mark.parametrize("desc, mutate, column, rows, expected", BAD_EVENTS, ids=[b[0] for b in BAD_EVENTS])
def test_bad_event_input_gets_a_clear_error(desc, mutate, column, rows, expected):
    with pytest.raises(DataValidationError) as err:
        validate_events(mutate(tiny_events()), "export.csv", now=NOW)
    msg = str(err.value)
    assert msg.startswith("export.csv: column '")
    assert column in err.value.column
    assert expected in msg
    if rows is not None:
        assert err.value.rows == rows
        assert f"rows {rows[0]}" in msg
        if column != "event_id":  # the record is named by its id too
            assert f"event_id {tiny_events().loc[rows[0], 'event_id']}" in msg


def test_missing_columns_are_named_with_the_columns_found():
    with pytest.raises(DataValidationError) as err:
        validate_events(tiny_events().drop(columns=["kind", "parent_id"]), "export.csv", now=NOW)
    msg = str(err.value)
    assert "row(s)" not in msg and "(rows" not in msg  # a missing column is not a row problem
    assert "['kind', 'parent_id']" in msg and "found ['event_id', 'member_id', 'created_at', 'thread_id']" in msg
    assert "columns=" in msg  # and how to map them


def test_line_numbers_when_the_loader_knows_them():
    df = tiny_events().assign(_line=range(2, 13))
    df.loc[5, "kind"] = "like"
    with pytest.raises(DataValidationError, match=r"\(lines 7; event_id r3\)"):
        validate_events(df, "export.csv", now=NOW)


def test_reply_earlier_than_its_parent_is_excluded():
    df = tiny_events()
    df.loc[2, "created_at"] = pd.Timestamp("2024-01-02 09:00", tz="UTC")  # r1 before its parent t1 (10:00)
    out, report = validate_events(df, "x", now=NOW)
    assert "r1" not in set(out["event_id"])
    assert report.count("reply or reaction earlier than its parent (excluded)") == 1
    assert report.rows_read == report.rows_loaded + report.excluded


def test_replies_whose_parents_form_a_cycle_are_excluded():
    df = tiny_events()
    extra = pd.DataFrame({"event_id": ["c1", "c2", "c3", "c4"], "member_id": ["a", "b", "c", "a"], "kind": "reply",
                          "created_at": pd.Timestamp("2024-03-01", tz="UTC"), "thread_id": None,
                          "parent_id": ["c2", "c3", "c1", "c3"]})  # c1 -> c2 -> c3 -> c1; c4 hangs on the cycle
    out, report = validate_events(pd.concat([df, extra], ignore_index=True), "x", now=NOW)
    assert report.count("replies whose parents form a cycle (excluded)") == 3
    assert "c4" in set(out["event_id"]) and not {"c1", "c2", "c3"} & set(out["event_id"])
    assert report.count("parent outside the data (kept)") == 1  # c4's parent is gone


def test_reply_in_another_thread_than_its_parent_takes_the_parents():
    df = tiny_events()
    df.loc[6, "thread_id"] = "t1"  # r4 answers r3, which is in t2
    out, report = validate_events(df, "x", now=NOW)
    assert out.set_index("event_id").loc["r4", "thread_id"] == "t2"
    assert report.count("reply in another thread than its parent (thread repaired to the parent's)") == 1


def test_error_lists_first_rows_and_how_many_more():
    df = tiny_events().assign(kind="like")
    with pytest.raises(DataValidationError, match=r"11 row\(s\) invalid \(rows 0, 1, 2, 3, 4 and 6 more; event_id j1, t1, r1, r2, t2\)"):
        validate_events(df, "x", now=NOW)


def test_repeated_event_id_keeps_first_and_counts():
    df = pd.concat([tiny_events(), tiny_events().iloc[[2]]], ignore_index=True)
    out, report = validate_events(df, "x", now=NOW)
    assert len(out) == 11
    assert report.count("repeated event_id (first kept)") == 1
    assert report.rows_read == 12 and report.rows_loaded == 11 and report.excluded == 1


def test_future_timestamps_are_excluded_and_counted():
    df = tiny_events()
    df.loc[10, "created_at"] = pd.Timestamp("2030-01-01", tz="UTC")
    out, report = validate_events(df, "x", now=NOW)
    assert "l1" not in set(out["event_id"])
    assert report.count("timestamp in the future") == 1


def test_naive_timestamps_are_taken_as_utc_and_counted():
    df = tiny_events()
    df["created_at"] = df["created_at"].dt.tz_localize(None)
    out, report = validate_events(df, "x", now=NOW)
    assert str(out["created_at"].dt.tz) == "UTC"
    assert out["created_at"].iloc[1] == pd.Timestamp("2024-01-02 10:00", tz="UTC")
    assert report.count("naive timestamp taken as UTC") == 11


def test_other_time_zones_are_converted_to_utc():
    df = tiny_events()
    df["created_at"] = df["created_at"].dt.tz_convert("America/Montreal")
    out, _ = validate_events(df, "x", now=NOW)
    assert out.loc[out.event_id == "t1", "created_at"].iloc[0] == pd.Timestamp("2024-01-02 10:00", tz="UTC")


def test_dangling_parent_is_kept_and_counted():
    df = tiny_events()
    df.loc[6, "parent_id"] = "not-in-data"
    out, report = validate_events(df, "x", now=NOW)
    assert "r4" in set(out["event_id"])
    assert report.count("parent outside the data (kept)") == 1
    assert pd.isna(out.loc[out.event_id == "r4", "to_member_id"].iloc[0])


def test_threads_are_repaired_by_stated_rules():
    df = tiny_events()
    df.loc[1, "thread_id"] = None  # post t1 -> its own thread
    df.loc[2, "thread_id"] = None  # reply r1 -> thread of its parent
    out, report = validate_events(df, "x", now=NOW)
    by = out.set_index("event_id")
    assert by.loc["t1", "thread_id"] == "t1" and by.loc["r1", "thread_id"] == "t1"
    assert report.count("post without thread_id starts its own thread") == 1
    assert report.count("thread_id taken from the parent") == 1


def test_unknown_author_is_kept_and_counted():
    df = tiny_events()
    df.loc[7, "member_id"] = None
    out, report = validate_events(df, "x", now=NOW)
    assert len(out) == 11
    assert report.count("author unknown (deleted or anonymous account; kept, left out of per-member metrics)") == 1


def test_reply_direction_is_filled_from_the_parent():
    out, _ = validate_events(tiny_events(), "x", now=NOW)
    by = out.set_index("event_id")
    assert by.loc["r4", "to_member_id"] == "a" and by.loc["r2", "to_member_id"] == "a"


def test_numeric_ids_from_csv_become_strings_without_decimals():
    df = tiny_events()
    df["member_id"] = [1.0, 1.0, 2.0, 3.0, 3.0, 1.0, 2.0, 4.0, 4.0, 4.0, 2.0]
    out, _ = validate_events(df, "x", now=NOW)
    assert set(out["member_id"]) == {"1", "2", "3", "4"}


BAD_MEMBERS = [
    ("repeated id", pd.DataFrame({"member_id": ["a", "a"]}), "member_id", "each member once"),
    ("empty id", pd.DataFrame({"member_id": ["a", None]}), "member_id", "non-empty"),
    ("host flag", pd.DataFrame({"member_id": ["a", "b"], "is_host": ["yes", "maybe"]}), "is_host", "true/false"),
    ("left before joined", pd.DataFrame({"member_id": ["a"], "joined_at": ["2024-02-01"], "left_at": ["2024-01-01"]}), "left_at", "on or after"),
    ("negative cost", pd.DataFrame({"member_id": ["a"], "acquisition_cost": [-5]}), "acquisition_cost", "zero or more"),
    ("cost not a number", pd.DataFrame({"member_id": ["a"], "acquisition_cost": ["ten"]}), "acquisition_cost", "a number"),
]


@pytest.mark.parametrize("desc, frame, column, expected", BAD_MEMBERS, ids=[b[0] for b in BAD_MEMBERS])
def test_bad_member_input_gets_a_clear_error(desc, frame, column, expected):
    with pytest.raises(DataValidationError) as err:
        validate_members(frame, "members.csv")
    assert err.value.column == column and expected in str(err.value) and "members.csv" in str(err.value)


def test_members_parse_flags_and_dates():
    out, _ = validate_members(pd.DataFrame({"member_id": ["a", "b"], "is_host": ["True", "false"], "joined_at": ["2024-01-01", "2024-01-02T10:00:00Z"]}))
    assert out["is_host"].tolist() == [True, False]
    assert str(out["joined_at"].dt.tz) == "UTC"


def test_load_report_renders_for_people():
    df = pd.concat([tiny_events(), tiny_events().iloc[[2]]], ignore_index=True)
    _, report = validate_events(df, "export.csv", now=NOW)
    text = str(report)
    assert "rows read: 12; rows loaded: 11; excluded: 1" in text
    assert "repeated event_id" in report._repr_html_()
    assert list(report.to_frame().columns) == ["rule", "column", "count", "action", "first_rows"]
