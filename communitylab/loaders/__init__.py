"""Loaders: files and exports in, validated :class:`~communitylab.Community` out."""

from communitylab.loaders.csv import load_events, read_table
from communitylab.loaders.edgelist import load_edgelist, read_edgelist
from communitylab.loaders.stackexchange import load_stackexchange, read_stackexchange
from communitylab.loaders.store import open_store, write_store
from communitylab.loaders.support_threads import load_support_threads, read_support_threads

__all__ = [
    "load_edgelist",
    "load_events",
    "load_stackexchange",
    "load_support_threads",
    "open_store",
    "read_edgelist",
    "read_stackexchange",
    "read_support_threads",
    "read_table",
    "write_store",
]
