"""A corpus of damaged and hostile inputs, one file (or folder) per case, every format family.

``python -m tests.damaged_corpus FOLDER`` writes it to FOLDER (to try them by hand with
``communitylab inspect``); the tests call :func:`build`. Each case says what must happen:

``typed``
    a :class:`~communitylab.errors.CommunityLabError` naming the file;
``loads``
    a community whose load report adds up and whose every date lies in the stated range;
``either``
    one or the other (mutations whose outcome depends on what survives).

Nothing here is third-party data: every file is written from the hand-made fixtures in
``tests/fixtures/exports`` or from scratch.
"""

from __future__ import annotations

import json
import shutil
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.loaders.exports import support_export

EXPORTS = Path(__file__).resolve().parent / "fixtures" / "exports"
HEAD = "event_id,member_id,kind,created_at,thread_id,parent_id,channel\n"
GOOD_ROWS = "".join(
    f"e{i},m{i % 4},{'post' if i % 3 == 0 else 'reply'},2024-03-0{1 + i % 6}T10:00:00Z,t{i // 3 * 3},{'' if i % 3 == 0 else f'e{i // 3 * 3}'},general\n"
    for i in range(18)
)


@dataclass
class Case:
    """One damaged input: where it is, how to load it, and what must happen."""

    name: str
    path: Path
    expect: str  # typed | loads | either
    format: str | None = None
    options: dict = field(default_factory=dict)
    #: for ``loads``: a rule of the load report that must have counted something
    counted: str | None = None


def _events_csv(folder: Path, name: str, body: str, head: str = HEAD) -> Path:
    p = folder / name
    p.write_text(head + body, encoding="utf-8")
    return p


def _mbox(folder: Path, name: str, date: str) -> Path:
    msgs = [
        ("<a@x.org>", "Mon, 04 Mar 2024 10:00:00 +0000", None),
        ("<b@x.org>", "Mon, 04 Mar 2024 11:00:00 +0000", "<a@x.org>"),
        ("<c@x.org>", date, "<a@x.org>"),
    ]
    text = "".join(
        f"From ann@x.org Mon Mar  4 10:00:00 2024\nFrom: Ann <ann{i}@x.org>\nDate: {d}\nMessage-ID: {mid}\n"
        + (f"In-Reply-To: {parent}\n" if parent else "") + "Subject: hi\n\nbody\n\n"
        for i, (mid, d, parent) in enumerate(msgs)
    )
    p = folder / name
    p.write_text(text)
    return p


def _discord(folder: Path, name: str, edit: Callable[[dict], None]) -> Path:
    src = next((EXPORTS / "discord").glob("*.json"))
    doc = json.loads(src.read_text())
    edit(doc)
    p = folder / name
    p.mkdir()
    (p / src.name).write_text(json.dumps(doc, ensure_ascii=True))
    return p


def _slack_zip(folder: Path, name: str) -> Path:
    p = folder / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted((EXPORTS / "slack").rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(EXPORTS / "slack").as_posix())
    return p


def _patch_zip(path: Path, *, flag: int | None = None, method: int | None = None) -> None:
    """Set the general-purpose flag or the compression method of every entry (local and central headers)."""
    data = bytearray(path.read_bytes())
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = data.find(sig)
        while at >= 0:
            if flag is not None:
                data[at + flag_at:at + flag_at + 2] = struct.pack("<H", flag)
            if method is not None:
                data[at + method_at:at + method_at + 2] = struct.pack("<H", method)
            at = data.find(sig, at + 4)
    path.write_bytes(bytes(data))


def _se_dump(folder: Path, name: str, *, posts: str | None = None, comments: str | None = None, votes: str | None = None) -> Path:
    """A small Stack Exchange dump written from scratch; any table can be replaced."""
    d = folder / name
    d.mkdir()
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    rows = {
        "Posts": posts or (head + "<posts>\n"
                           '  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" OwnerUserId="1" />\n'
                           '  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2020-01-02T00:00:00.000" OwnerUserId="2" />\n'
                           "</posts>\n"),
        "Comments": comments or (head + '<comments>\n  <row Id="1" PostId="1" CreationDate="2020-01-03T00:00:00.000" UserId="2" />\n</comments>\n'),
        "Users": head + ('<users>\n  <row Id="1" CreationDate="2019-12-01T00:00:00.000" DisplayName="a" />\n'
                         '  <row Id="2" CreationDate="2019-12-02T00:00:00.000" DisplayName="b" />\n</users>\n'),
        "Votes": votes or (head + '<votes>\n  <row Id="1" PostId="1" VoteTypeId="2" CreationDate="2020-01-03T00:00:00.000" />\n</votes>\n'),
    }
    for table, text in rows.items():
        (d / f"{table}.xml").write_text(text)
    return d


def _bomb(path: Path, size: int, line: bytes) -> Path:
    """A gzip file that expands to ``size`` bytes of repeated ``line`` (written in pieces, never held whole)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = line * (max(1, (1 << 20) // len(line)))
    with open(path, "wb") as fh:
        fh.write(comp.compress(HEAD.encode()))
        written = 0
        while written < size:
            fh.write(comp.compress(block))
            written += len(block)
        fh.write(comp.flush())
    return path


def build(folder: str | Path, *, bomb_size: int = 64 << 20) -> list[Case]:
    """Write every case into ``folder`` and return them. ``bomb_size``: what the compression bombs expand to."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    add = cases.append

    # --- dates that must never become other dates
    add(Case("mbox Date in year 9999 at -2359", _mbox(folder, "y9999.mbox", "Fri, 31 Dec 9999 23:59:59 -2359"), "loads", "mbox",
             counted="Date outside the representable range"))
    add(Case("mbox Date in year 0001 at +2359", _mbox(folder, "y0001.mbox", "Mon, 01 Jan 0001 00:00:00 +2359"), "loads", "mbox",
             counted="Date outside the representable range"))
    add(Case("mbox Date on 1970-01-01", _mbox(folder, "epoch.mbox", "Thu, 01 Jan 1970 00:00:00 +0000"), "loads", "mbox",
             counted="date before 1990-01-01"))

    def negative_year(doc):
        doc["messages"][3]["timestamp"] = "-0001-01-01T00:00:00+00:00"
    add(Case("Discord timestamp in year -1", _discord(folder, "discord-year-minus-1", negative_year), "loads", "discord",
             counted="no readable timestamp"))

    def year_10000(doc):
        doc["messages"][3]["timestamp"] = "9999-12-31T23:59:59-23:59"
    add(Case("Discord timestamp past year 9999 in UTC", _discord(folder, "discord-year-10000", year_10000), "loads", "discord",
             counted="no readable timestamp"))

    import pandas as pd

    ev = pd.read_csv(_events_csv(folder, "good.csv", GOOD_ROWS), dtype=str)
    ev["created_at"] = (pd.to_datetime(ev["created_at"], utc=True) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    ev.to_parquet(folder / "epoch-seconds.parquet")
    add(Case("Parquet created_at in integer seconds", folder / "epoch-seconds.parquet", "loads", "events",
             counted="numeric timestamps read as seconds"))
    ev_ms = ev.assign(created_at=ev["created_at"] * 1000)
    ev_ms.to_parquet(folder / "epoch-millis.parquet")
    add(Case("Parquet created_at in integer milliseconds", folder / "epoch-millis.parquet", "loads", "events",
             counted="numeric timestamps read as milliseconds"))
    add(Case("one 1970-01-01 placeholder in a six-day log",
             _events_csv(folder, "placeholder.csv", GOOD_ROWS + "z1,m9,post,1970-01-01T00:00:00Z,z1,,general\n"), "loads", "events",
             counted="date before 1990-01-01"))
    add(Case("one 1900-01-01 placeholder", _events_csv(folder, "placeholder-1900.csv", GOOD_ROWS + "z1,m9,post,1900-01-01,z1,,general\n"),
             "loads", "events", counted="date before 1990-01-01"))
    add(Case("an event in year 0001", _events_csv(folder, "year-0001.csv", GOOD_ROWS + "z1,m9,post,0001-01-01T00:00:00Z,z1,,general\n"),
             "loads", "events", counted="date before 1990-01-01"))
    add(Case("only an event in year 0001", _events_csv(folder, "only-year-0001.csv", "z1,m9,post,0001-01-01T00:00:00Z,z1,,general\n"),
             "typed", "events"))
    add(Case("only future events", _events_csv(folder, "future.csv", GOOD_ROWS.replace("2024-03-0", "2999-03-0")), "typed", "events"))
    add(Case("header-only CSV", _events_csv(folder, "header-only.csv", ""), "typed", "events"))
    add(Case("empty file", _events_csv(folder, "empty.csv", "", head=""), "typed", "events"))

    # --- shapes that crashed the readers
    deep = "[" * 100_000 + "]" * 100_000
    (folder / "deep-discord").mkdir()
    (folder / "deep-discord" / "x.json").write_text(deep)
    add(Case("Discord JSON nested 100,000 deep", folder / "deep-discord", "typed", "discord"))
    gh = folder / "deep-github"
    shutil.copytree(EXPORTS / "github", gh)
    (gh / "comments.json").write_text(deep)
    add(Case("GitHub JSON nested 100,000 deep", gh, "typed", "github"))
    reddit = (EXPORTS / "reddit-acmemakers.ndjson").read_text()
    (folder / "deep.ndjson").write_text(reddit + '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n")
    add(Case("Reddit line nested 100,000 deep", folder / "deep.ndjson", "loads", "reddit", counted="damaged line"))
    (folder / "deep.jsonl").write_text('{"event_id": "a", "x": ' + deep + "}\n")
    add(Case("JSON Lines events nested 100,000 deep", folder / "deep.jsonl", "typed", "events"))
    gh2 = folder / "bigint-github"
    shutil.copytree(EXPORTS / "github", gh2)
    (gh2 / "comments.json").write_text((gh2 / "comments.json").read_text().replace('"id": ', '"id": ' + "9" * 5000 + ", \"_id\": ", 1))
    add(Case("GitHub id of 5,000 digits", gh2, "typed", "github"))

    def surrogate(doc):
        doc["messages"][3]["author"]["name"] = "\ud800 lone"
        doc["messages"][3]["author"]["nickname"] = "\udfff"
    add(Case("Discord names with lone surrogates", _discord(folder, "discord-surrogate", surrogate), "either", "discord"))

    def huge_ts(doc):
        doc["messages"][3]["timestamp"] = 1e308
    add(Case("Discord timestamp a huge number", _discord(folder, "discord-huge", huge_ts), "loads", "discord",
             counted="no readable timestamp"))

    z = _slack_zip(folder, "slack-encrypted.zip")
    _patch_zip(z, flag=0x1)
    add(Case("zip whose entries are encrypted", z, "typed", "slack"))
    z = _slack_zip(folder, "slack-ppmd.zip")
    _patch_zip(z, method=98)
    add(Case("zip entries in a compression Python cannot read", z, "typed", "slack"))

    add(Case("Posts.xml row without Id", _se_dump(folder, "se-no-id", posts='<?xml version="1.0"?>\n<posts>\n'
                                                   '  <row PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" OwnerUserId="1" />\n'
                                                   '  <row Id="2" PostTypeId="1" CreationDate="2020-01-02T00:00:00.000" OwnerUserId="2" />\n</posts>\n'),
             "loads", "stackexchange", counted="Posts.xml: row without Id"))
    add(Case("Posts.xml row without CreationDate", _se_dump(folder, "se-no-date", posts='<?xml version="1.0"?>\n<posts>\n'
                                                             '  <row Id="1" PostTypeId="1" OwnerUserId="1" />\n'
                                                             '  <row Id="2" PostTypeId="1" CreationDate="2020-01-02T00:00:00.000" OwnerUserId="2" />\n</posts>\n'),
             "loads", "stackexchange", counted="Posts.xml: row without CreationDate"))
    add(Case("Comments.xml row without PostId", _se_dump(folder, "se-no-postid", comments='<?xml version="1.0"?>\n<comments>\n'
                                                          '  <row Id="1" CreationDate="2020-01-03T00:00:00.000" UserId="2" />\n</comments>\n'),
             "loads", "stackexchange", counted="Comments.xml: row without PostId"))
    add(Case("VoteTypeId=abc", _se_dump(folder, "se-votetype", votes='<?xml version="1.0"?>\n<votes>\n'
                                         '  <row Id="1" PostId="1" VoteTypeId="abc" CreationDate="2020-01-03T00:00:00.000" />\n</votes>\n'),
             "loads", "stackexchange", counted="Votes.xml: VoteTypeId not a whole number"))
    dtd = ('<?xml version="1.0"?>\n<!--' + "x" * (1 << 20) + "-->\n"
           '<!DOCTYPE posts [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
           '<posts>\n  <row Id="1" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" OwnerUserId="&b;" />\n</posts>\n')
    add(Case("DTD after a 1 MiB comment", _se_dump(folder, "se-late-dtd", posts=dtd), "typed", "stackexchange"))

    add(Case("CSV field of a million characters",
             _events_csv(folder, "long-field.csv", GOOD_ROWS + "f1,m1,post,2024-03-02T10:00:00Z,f1,," + "x" * 1_000_000 + "\n"),
             "loads", "events"))
    add(Case("ragged CSV (a row with two fields too many)", _events_csv(folder, "ragged.csv", GOOD_ROWS + "r1,m1,post,2024-03-02,t1,,general,x,y\n"),
             "typed", "events"))
    add(Case("ragged CSV (an unclosed quote)", _events_csv(folder, "unclosed.csv", GOOD_ROWS + 'r1,m1,post,"2024-03-02,t1,,general\n'),
             "either", "events"))
    (folder / "twcs-ragged.csv").write_text(support_export().read_text() + '1,2,"unclosed\n')
    add(Case("ragged twcs CSV", folder / "twcs-ragged.csv", "either", "twcs"))
    store = folder / "damaged-store"
    store.mkdir()
    (store / "part-0.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 50 + b"PAR1")
    add(Case("damaged Parquet store", store, "typed", "store"))

    # --- decompression bombs
    add(Case("gzip CSV bomb", _bomb(folder / "bomb.csv.gz", bomb_size,
                                                                      b"e,m,post,2024-03-01T10:00:00Z,t,,general\n"), "typed", "events"))
    bz = folder / "slack-bomb.zip"
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((EXPORTS / "slack").rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(EXPORTS / "slack").as_posix())
        with zf.open("general/2024-03-09.json", "w") as fh:
            fh.write(b"[" + b" " * bomb_size + b"]")
    add(Case("zip entry bomb", bz, "typed", "slack"))
    return cases


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "damaged-corpus")
    for case in build(out, bomb_size=1 << 30):
        sys.stdout.write(f"{case.expect:7} {case.format or 'sniffed':14} {case.path.name:40} {case.name}\n")
