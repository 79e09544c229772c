"""Study parameters checked before any kernel starts: their type, then their allowed values.

A study's parameters cell gives each parameter a type (``period: str = "month"``); this module
checks a run's values against that type (:func:`check_types`) and against the allowed values of
the parameter's name (:data:`RULES`: choices, dates, ranges of counts and shares), so that
``-p period fortnight``, ``-p start notadate``, ``-p n_boot -5`` or ``-p brand_m2m_max .nan`` are
refused with exit 2 and a message naming the parameter, never inside the kernel.

Every float must be finite, and no text may hold a NUL character or a lone surrogate, whatever
its name.

Examples
--------
>>> from communitylab.parameters import check_values
>>> check_values("community_health", {"period": "week", "n_boot": 200})
>>> check_values("community_health", {"period": "fortnight"})
Traceback (most recent call last):
...
communitylab.errors.ParameterError: study 'community_health': parameter 'period' expects one of day, week, month (or empty); got 'fortnight'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communitylab.errors import ParameterError

__all__ = ["Rule", "RULES", "check_types", "check_values"]


@dataclass(frozen=True)
class Rule:
    """What one parameter accepts: a test (``ok``) and its words (``expects``, or a function that
    gives them when the options come from a registry at check time)."""

    expects: str | Callable[[], str]
    ok: Callable[[Any], bool]

    def words(self) -> str:
        return self.expects() if callable(self.expects) else self.expects


def _choice(*options: str, empty: bool = False) -> Rule:
    words = ", ".join(options) + (" (or empty)" if empty else "")
    return Rule(f"one of {words}", lambda v: v in options or (empty and v == ""))


def _number(low: float | None = None, high: float | None = None, *, low_open: bool = False, high_open: bool = False,
            whole: bool = False) -> Rule:
    lo = "" if low is None else (f"> {low:g}" if low_open else f"≥ {low:g}")
    hi = "" if high is None else (f"< {high:g}" if high_open else f"≤ {high:g}")
    what = "a whole number" if whole else "a number"

    def ok(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            return False
        if low is not None and (v <= low if low_open else v < low):
            return False
        return high is None or (v < high if high_open else v <= high)

    return Rule(f"{what} {' and '.join(x for x in (lo, hi) if x)}".strip(), ok)


def _is_date(v: Any) -> bool:
    import pandas as pd

    if not isinstance(v, str):
        return False
    if not v.strip():
        return True
    try:
        ts = pd.Timestamp(v.strip())
    except (ValueError, TypeError, OverflowError):
        return False
    return ts is not pd.NaT and 1900 <= ts.year <= 2200


DATE = Rule('a date such as "2024-01-01" (years 1900 to 2200), or empty', _is_date)
SHARE = _number(0, 1)
COUNT = _number(1, 10_000_000, whole=True)


def _texts(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str | int) and not isinstance(x, bool) for x in v)


def _text_map(v: Any) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())


def _kinds(v: Any) -> bool:
    from communitylab.schema import EVENT_KINDS

    return _text_map(v) and all(x in EVENT_KINDS for x in v.values())


def _milestones(v: Any) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) and x.strip() and _is_date(x) for k, x in v.items())


def _survivors(v: Any) -> bool:
    return (isinstance(v, list) and len(v) >= 2 and all(_number(0).ok(x) for x in v)
            and all(b <= a for a, b in zip(v, v[1:], strict=False)))


def _is_source(v: Any, *, empty: bool = False) -> bool:
    """A registered data set's name, a simulator scenario (``sim:living``), a path that exists
    (relative to the caller's folder), or a store's URI (``file://``, ``hdfs://``, ``s3a://``;
    read where it is, so its existence is the engine's to check)."""
    from pathlib import Path

    from communitylab.datasets import DATASETS
    from communitylab.simulate import SCENARIOS

    if not isinstance(v, str):
        return False
    if not v.strip():
        return empty
    if v.startswith("sim:"):
        return v.split(":")[1] in SCENARIOS
    from communitylab.locations import is_uri

    return v in DATASETS or Path(v).expanduser().exists() or is_uri(v)


def _absent_dataset(value: Any) -> bool:
    """A registered data set's name whose files are not in the data folder (a user's file or folder
    of that name in the current folder wins)."""
    from communitylab.datasets import REGISTRY, status

    return isinstance(value, str) and value in REGISTRY and not Path(value).exists() and status(value) != "present"


def _source_words() -> str:
    from communitylab.datasets import DATASETS

    return (f"an existing file or folder (relative to the folder you run from), a registered data set ({', '.join(DATASETS)}), "
            "sim:<scenario> or a store's URI (file://, hdfs://, s3a://)")


def _formats() -> tuple[str, ...]:
    from communitylab.loaders.formats import FORMATS

    return tuple(FORMATS)


def _registry_choice(options: Callable[[], tuple[str, ...]], *, empty: bool = False) -> Rule:
    """A choice whose options come from a registry at check time (formats, outcomes, scenarios)."""
    return Rule(lambda: "one of " + ", ".join(options()) + (" (or empty)" if empty else ""),
                lambda v: v in options() or (empty and v == ""))


def _outcomes() -> tuple[str, ...]:
    from communitylab.intervention.series import OUTCOMES

    return tuple(OUTCOMES)


def _scenarios() -> tuple[str, ...]:
    from communitylab.simulate import SCENARIOS

    return SCENARIOS


#: Allowed values by parameter name; a name means the same in every study that has it.
RULES: dict[str, Rule] = {
    "period": _choice("day", "week", "month", empty=True),
    "start": DATE, "end": DATE, "observation_end": DATE, "calibration_end": DATE,
    "format": _registry_choice(_formats, empty=True),
    "outcome": _registry_choice(_outcomes),
    "scenario": _registry_choice(_scenarios),
    "method": _choice("wilson", "clopper-pearson", "jeffreys", "beta", "wald"),
    "cov_type": _choice("quasi", "hac", "model"),
    "n_boot": COUNT, "n_draws": COUNT, "min_signal_n": COUNT, "min_threads": COUNT, "min_members": COUNT,
    "seed": _number(0, 2**32 - 1, whole=True),
    "members": COUNT, "horizon": _number(1, 1000, whole=True),
    "population": _number(0, whole=True), "min_gap": _number(0, whole=True), "harmonics": _number(0, 26, whole=True),
    "brand_m2m_max": SHARE, "fragile_silence_ratio": _number(0), "fragile_answered_share": SHARE,
    "fragile_top1_share": SHARE, "crowd_reciprocity_max": SHARE, "crowd_repeat_max": SHARE, "min_linked_share": SHARE,
    "lost_share": _number(0, 1, low_open=True, high_open=True), "retention_lift": SHARE, "discount_rate": _number(0, 1, high_open=True),
    "confidence_level": _number(0.5, 1, high_open=True),
    "min_weekly_contributions": _number(0), "silence_days": _number(0, low_open=True),
    "trajectory_weeks": _number(0, low_open=True), "lost_over_periods": _number(0, low_open=True),
    "season_length": _number(1, low_open=True), "margin_per_period": _number(0), "acquisition_cost": _number(0),
    "budget_per_period": _number(0),
    "source": Rule(_source_words, _is_source),
    "your_export": Rule(lambda: _source_words() + ", or empty", lambda v: _is_source(v, empty=True)),
    "hosts": Rule("a list of member ids, e.g. [alice, bob]", _texts),
    "compare_sources": Rule(lambda: "a list of sources, each " + _source_words(), lambda v: _texts(v) and all(_is_source(str(x)) for x in v)),
    "scale_items": Rule("a list of column names", _texts), "design_ids": Rule("a list of column names", _texts),
    "design_fpc": Rule("a list of column names", _texts),
    "columns": Rule("a mapping of contract column to your column, e.g. {member_id: author}", _text_map),
    "kinds": Rule("a mapping of your value to post, reply, reaction, join or leave", _kinds),
    "milestones": Rule('a mapping of intervention name to date, e.g. {"new rules": "2024-03-01"}', _milestones),
    "transactions": Rule("simulated, cdnow, or an existing CSV of customer_id, date, value",
                         lambda v: isinstance(v, str) and (v in ("simulated", "cdnow") or Path(v).expanduser().is_file())),
    "survivors": Rule("at least two member counts that never rise, e.g. [1000, 631, 468]", _survivors),
}

_EXAMPLES = {"str": "some text", "int": "3", "float": "0.5", "bool": "true or false", "list": "[a, b] (or one value)", "dict": "{key: value}"}


def _bad_text(value: Any) -> bool:
    """Text no report or file can carry: a NUL character or a lone surrogate (also inside lists and mappings)."""
    if isinstance(value, str):
        return "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list):
        return any(_bad_text(v) for v in value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _bad_text(v) for k, v in value.items())
    return False


def check_types(study: str, known: Mapping[str, Mapping[str, Any]], parameters: Mapping[str, Any],
                raw: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Check each value against the type in the study's parameters cell.

    Rules: a ``str`` parameter takes the text as typed (``-p calibration_end 1997-09-30`` stays a
    string); a ``float`` takes an integer; an ``int`` takes a whole float (``3.0``); a ``list``
    given one bare value takes it as a one-element list (``-p hosts alice`` is ``["alice"]``), but
    text that opens a list or mapping and does not close it (``-p hosts "[a, b"``) is refused.
    Anything else is refused with the parameter, what was given and what is expected.

    Raises
    ------
    ParameterError
        A value of the wrong type.
    """
    raw = raw or {}
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        expected = str(known.get(name, {}).get("inferred_type_name", "None"))
        given = raw.get(name, repr(value))
        ok, v = True, value
        if expected == "str":
            v = raw.get(name, value if isinstance(value, str) else str(value))
        elif expected == "list":
            if isinstance(value, dict) or (isinstance(value, str) and value.lstrip().startswith(("[", "{"))):
                ok = False
            elif not isinstance(value, list):
                v = [] if value is None else [value]
        elif expected == "dict":
            ok = isinstance(value, dict) or value is None
            v = value or {}
        elif expected == "bool":
            ok = isinstance(value, bool)
        elif expected == "int":
            ok = isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, float) and value.is_integer())
            v = int(value) if ok else value
        elif expected == "float":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            v = float(value) if ok else value
        if not ok:
            finite = " (a finite number)" if expected == "float" else ""
            raise ParameterError(
                f"study {study!r}: parameter {name!r} expects {expected}{finite} (e.g. -p {name} {_EXAMPLES.get(expected, '...')}); "
                f"got {given!r}"
            )
        if _bad_text(v):
            raise ParameterError(f"study {study!r}: parameter {name!r} holds a NUL character or a lone surrogate; got {given!r}")
        out[name] = v
    return out


def check_values(study: str, parameters: Mapping[str, Any]) -> None:
    """Check typed values against :data:`RULES`; ``start`` must come before ``end``.

    Raises
    ------
    ParameterError
        A value outside what its parameter allows.
    DatasetMissing
        A registered data set named as a source that has not been fetched (the message says how).
    """
    for name, value in parameters.items():
        rule = RULES.get(name)
        if rule is not None and not rule.ok(value):
            raise ParameterError(f"study {study!r}: parameter {name!r} expects {rule.words()}; got {value!r}")
    for name in ("source", "your_export", "compare_sources", "transactions"):
        for value in (parameters.get(name) if isinstance(parameters.get(name), list) else [parameters.get(name)]):
            if _absent_dataset(value):
                from communitylab.datasets import missing_message
                from communitylab.errors import DatasetMissing

                raise DatasetMissing(f"study {study!r}: parameter {name!r}: {missing_message(value)}")
    start, end = parameters.get("start"), parameters.get("end")
    if isinstance(start, str) and isinstance(end, str) and start.strip() and end.strip():
        import pandas as pd

        if pd.Timestamp(start.strip()) >= pd.Timestamp(end.strip()):
            raise ParameterError(f"study {study!r}: parameter 'start' ({start}) must come before 'end' ({end})")
