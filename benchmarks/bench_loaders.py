"""Benchmark: reading a Pushshift-style JSON Lines dump, against DuckDB's own reader; and an mbox
archive, against a header-only streaming parse.

Usage::

    .venv/bin/python benchmarks/bench_loaders.py --records 5e5 --messages 1e5

Writes a synthetic dump of ``--records`` submissions and comments (seeded; Pushshift's field
layout with bodies, so lines are as long as real ones) once into the system temp folder, then, in
one run, times (best of ``--repeat``, each in a fresh subprocess):

1. ``read_reddit`` (the connector: DuckDB reads the needed columns and maps them in SQL when every
   line is a clean record);
2. the reference: DuckDB's ``read_json`` of the same eight columns into pandas, nothing mapped;
3. the careful line-by-line reader the connector falls back to for damaged files;
4. and 5. the connector and the careful reader on the same dump compressed as Pushshift
   publishes it (``.zst`` with a long window): the connector decompresses it once with the bounded
   reader, then DuckDB reads it.

Prints the ratios; the target is the connector within 2x of the reference. Then the peak memory
of loading the dump whole and of importing it into a new store (``communitylab import``, a part at
a time), and of importing a 5 GB dump (``--big-records``): the target is under 1 GB.

The mbox part writes a synthetic archive of ``--messages`` messages (bodies of a few kB, quoted
replies, a body line starting "From ") and times ``read_mbox`` against the reference: the same
separator rule, each message's header lines only, parsed by the standard library's header parser
with ``From``, ``Date`` and the ids read (nothing mapped). Target: within 1.5x.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = __file__
COLUMNS = ("id", "author", "created_utc", "subreddit", "link_id", "parent_id", "distinguished", "num_comments")


def write_dump(path: Path, records: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "w") as fh:
        for i in range(records):
            author = rng.choice(["[deleted]", "AutoModerator"] + [f"u{rng.randint(0, records // 20)}"] * 30)
            base = {"id": f"x{i}", "author": author, "created_utc": 1706745600 + i, "subreddit": rng.choice(["python", "rust", "go"]),
                    "score": rng.randint(0, 50), "distinguished": "moderator" if i % 997 == 0 else None, "edited": False,
                    "author_flair_text": None, "gildings": {}, "all_awardings": [], "permalink": f"/r/x/comments/{i}/"}
            if i % 6 == 0:
                rec = {**base, "title": "t" * rng.randint(20, 120), "selftext": "s" * rng.randint(0, 1200), "num_comments": 5,
                       "url": f"https://example.org/{i}"}
            else:
                root = i - i % 6
                rec = {**base, "body": "b" * rng.randint(20, 900), "link_id": f"t3_x{root}",
                       "parent_id": f"t3_x{root}" if i % 3 else f"t1_x{i - 1}"}
            fh.write(json.dumps(rec) + "\n")


def write_zst(plain: Path, target: Path) -> None:
    """``plain`` compressed as Pushshift's dumps are (zstd with a long window, ``--long=31``-style)."""
    import zstandard

    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27, enable_ldm=True, threads=2)
    part = target.with_suffix(".part")
    with open(plain, "rb") as src, open(part, "wb") as dst:
        zstandard.ZstdCompressor(compression_params=params).copy_stream(src, dst)
    part.replace(target)


def write_mbox(path: Path, messages: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        for i in range(messages):
            who = f"user{rng.randint(0, messages // 30)}"
            reply = i % 4 and i > 10
            head = [f"From {who} at lists.example.org  Thu Aug 19 18:02:18 2004", f"From: {who} at lists.example.org (User {who})",
                    f"Date: Thu, 19 Aug 2004 18:{i % 60:02d}:18 +0200", f"Subject: {'Re: ' if reply else ''}topic {i - i % 4}",
                    f"Message-ID: <m{i}@lists.example.org>"]
            if reply:
                head += [f"In-Reply-To: <m{i - 1}@lists.example.org>", f"References: <m{i - i % 4}@lists.example.org>"]
            body = ["", "Hello,", "", *(f"> quoted line {k} " + "q" * rng.randint(10, 70) for k in range(rng.randint(0, 30))),
                    "From there, the answer follows.", *("text " * rng.randint(5, 15) for _ in range(rng.randint(5, 40))), "", ""]
            fh.write(("\n".join(head + body)).encode())


def reference_mbox(path: str) -> int:
    """A header-only streaming parse: the connector's separator rule, header lines only."""
    import email.parser
    import email.policy
    import email.utils

    from communitylab.loaders.mbox import _FROM_LINE

    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    n, head, in_head, prev_blank = 0, [], False, True

    def parse(lines):
        msg = parser.parsebytes(b"".join(lines))
        email.utils.parseaddr(str(msg.get("From")))
        email.utils.parsedate_to_datetime(str(msg.get("Date")))
        return (msg.get("Message-ID"), msg.get("In-Reply-To"), msg.get("References"))

    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.startswith(b"From ") and prev_blank and (lineno == 1 or _FROM_LINE.match(line)):
                if head:
                    parse(head)
                    n += 1
                head, in_head, prev_blank = [], True, False
                continue
            blank = line.strip() == b""
            if in_head:
                if blank:
                    in_head = False
                else:
                    head.append(line)
            prev_blank = blank
    if head:
        parse(head)
        n += 1
    return n


def child(kind: str, path: str) -> None:
    t = time.perf_counter()
    if kind == "mbox-connector":
        from communitylab.loaders import read_mbox

        n = len(read_mbox(path).events)
    elif kind == "mbox-reference":
        n = reference_mbox(path)
    elif kind == "connector":
        from communitylab.loaders import read_reddit

        n = len(read_reddit(path).events)
    elif kind in ("import", "load"):  # peak memory of the whole import into a new store, and of the load alone
        import shutil

        from communitylab.loaders import load_source
        from communitylab.loaders.importing import import_source

        if kind == "load":
            n = load_source(path).report.rows_loaded
        else:
            store = Path(tempfile.mkdtemp(prefix="communitylab-bench-store-")) / "store"
            n = import_source(path, store).written
            shutil.rmtree(store.parent, ignore_errors=True)
    elif kind == "careful":
        import communitylab.loaders.reddit as reddit

        reddit._read_fast = lambda *a, **k: None
        n = len(reddit.read_reddit(path).events)
    else:
        import duckdb

        spec = ", ".join(f"{c}: 'VARCHAR'" for c in COLUMNS)
        with duckdb.connect() as con:
            n = len(con.sql(f"SELECT * FROM read_json('{path}', format = 'newline_delimited', columns = {{{spec}}})").df())
    import resource

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": time.perf_counter() - t, "rows": n, "peak_mb": peak_mb}))


def timed(kind: str, path: Path, repeat: int) -> dict:
    runs = [json.loads(subprocess.run([sys.executable, HERE, "--child", kind, str(path)], check=True, capture_output=True,
                                      text=True).stdout) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=float, default=5e5)
    ap.add_argument("--messages", type=float, default=1e5)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--big-records", type=float, default=6.3e6, help="records of the dump imported for the memory target "
                    "(6.3e6: 5 GB; written once into the temp folder; 0: skip)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    records = int(args.records)
    path = Path(tempfile.gettempdir()) / f"communitylab-bench-reddit-{records}.jsonl"
    if not path.exists():
        write_dump(path, records)
    size = path.stat().st_size / 1e6
    ref = timed("reference", path, args.repeat)
    rows = [("DuckDB read_json, 8 columns (reference)", ref), ("read_reddit (connector)", timed("connector", path, args.repeat)),
            ("careful line-by-line reader", timed("careful", path, args.repeat))]
    print(f"JSON Lines, {records:,} records, {size:,.0f} MB")
    for name, r in rows:
        print(f"  {name:<42} {r['seconds']:6.2f} s  {r['seconds'] / ref['seconds']:5.2f}x  ({r['rows']:,} rows)")
    ratio = rows[1][1]["seconds"] / ref["seconds"]
    print(f"  target: connector within 2x of the reference: {'met' if ratio <= 2 else 'NOT met'} ({ratio:.2f}x)")
    zst = path.with_suffix(".jsonl.zst")
    if not zst.exists():
        write_zst(path, zst)
    print(f"  the same dump as .zst (long window, {zst.stat().st_size / 1e6:,.0f} MB), against the plain file's reference:")
    for name, kind in (("read_reddit on the .zst (connector)", "connector"), ("careful line-by-line reader on the .zst", "careful")):
        r = timed(kind, zst, args.repeat)
        print(f"  {name:<42} {r['seconds']:6.2f} s  {r['seconds'] / ref['seconds']:5.2f}x  ({r['rows']:,} rows)")
    print("  memory (peak of the process):")
    base = timed("reference", path, 1)["peak_mb"]
    for name, kind in (("load_source (the whole dump, validated)", "load"), ("communitylab import (in parts)", "import")):
        r = timed(kind, path, 1)
        print(f"  {name:<42} {r['seconds']:6.2f} s  peak {r['peak_mb']:6,.0f} MB = {r['peak_mb'] / size:4.2f} MB per MB of export"
              f"  (DuckDB's read alone: {base:,.0f} MB)")
    if args.big_records:
        big_records = int(args.big_records)
        big = Path(tempfile.gettempdir()) / f"communitylab-bench-reddit-{big_records}.jsonl"
        if not big.exists():
            write_dump(big, big_records)
        r = timed("import", big, 1)
        gb = big.stat().st_size / 1e9
        print(f"  {f'communitylab import, {gb:.1f} GB dump':<42} {r['seconds']:6.2f} s  peak {r['peak_mb']:6,.0f} MB ({r['rows']:,} events written)")
        print(f"  target: a 5 GB export into a store under 1 GB of memory: {'met' if gb >= 5 and r['peak_mb'] < 1024 else 'NOT met'}")
    messages = int(args.messages)
    mbox = Path(tempfile.gettempdir()) / f"communitylab-bench-list-{messages}.mbox"
    if not mbox.exists():
        write_mbox(mbox, messages)
    ref = timed("mbox-reference", mbox, args.repeat)
    got = timed("mbox-connector", mbox, args.repeat)
    print(f"mbox, {messages:,} messages, {mbox.stat().st_size / 1e6:,.0f} MB")
    print(f"  {'header-only streaming parse (reference)':<42} {ref['seconds']:6.2f} s  1.00x  ({ref['rows']:,} messages)")
    print(f"  {'read_mbox (connector)':<42} {got['seconds']:6.2f} s  {got['seconds'] / ref['seconds']:5.2f}x  ({got['rows']:,} events)")
    ratio = got["seconds"] / ref["seconds"]
    print(f"  target: connector within 1.5x of the reference: {'met' if ratio <= 1.5 else 'NOT met'} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
