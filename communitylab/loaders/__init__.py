"""Loaders: files and exports in, validated :class:`~communitylab.Community` out.

``load_source(path)`` sniffs the format of any supported export and calls its connector;
:data:`FORMATS` lists them (see ``describe_formats()``).
"""

from communitylab.loaders.chatlog import load_chatlog, read_chatlog
from communitylab.loaders.csv import load_events, read_table
from communitylab.loaders.discord import load_discord, read_discord
from communitylab.loaders.discourse import load_discourse, read_discourse
from communitylab.loaders.edgelist import load_edgelist, read_edgelist
from communitylab.loaders.facebook import load_facebook, read_facebook
from communitylab.loaders.formats import FORMATS, describe_formats, load_source, sniff_format
from communitylab.loaders.github import load_github, read_github
from communitylab.loaders.mbox import load_mbox, read_mbox
from communitylab.loaders.reddit import load_reddit, read_reddit
from communitylab.loaders.slack import load_slack, read_slack
from communitylab.loaders.source_file import load_source_file
from communitylab.loaders.stackexchange import load_stackexchange, read_stackexchange
from communitylab.loaders.store import open_store, write_store
from communitylab.loaders.support_threads import load_support_threads, read_support_threads
from communitylab.loaders.twitter import load_twitter, read_twitter

__all__ = [
    "FORMATS",
    "describe_formats",
    "load_chatlog",
    "load_discord",
    "load_discourse",
    "load_edgelist",
    "load_events",
    "load_facebook",
    "load_github",
    "load_mbox",
    "load_reddit",
    "load_slack",
    "load_source",
    "load_source_file",
    "load_stackexchange",
    "load_support_threads",
    "load_twitter",
    "open_store",
    "read_chatlog",
    "read_discord",
    "read_discourse",
    "read_edgelist",
    "read_facebook",
    "read_github",
    "read_mbox",
    "read_reddit",
    "read_slack",
    "read_stackexchange",
    "read_support_threads",
    "read_table",
    "read_twitter",
    "sniff_format",
    "write_store",
]
