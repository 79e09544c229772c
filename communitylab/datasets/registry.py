"""Where each third-party data set lives, what it must contain, its licence and how to cite it.

The repository and the wheel carry no third-party data. Each data set the kit knows by name is
listed here with its publisher's location, the public copy it downloads from (pinned to a commit
where the publisher offers only a login page or a large archive), the sha256 of every file the kit
reads, and its licence and citation. ``communitylab datasets fetch NAME`` puts the files in the
data folder (:func:`data_home`); a folder that already holds them is used as it is once the
checksums match.

Examples
--------
>>> from communitylab.datasets.registry import REGISTRY
>>> REGISTRY["collegemsg"].files[0].name
'CollegeMsg.txt'
>>> REGISTRY["collegemsg"].size_text
'1.2 MB'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DataFile", "Dataset", "REGISTRY", "data_home", "project_data_dir"]

_RAW = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataFile:
    """One file the kit reads: its name in the data set's folder, sha256 of its content, bytes.

    ``urls`` are tried in order; each either serves the file as it is or, ending in ``.gz``, gzip
    of it. The checksum is always that of the content the kit reads, so any copy verifies.
    """

    name: str
    sha256: str
    size: int
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    """A third-party data set the kit knows by name.

    Attributes
    ----------
    name : str
        The name a study's ``source`` (or ``load_transactions``) takes.
    description : str
        One line a user reads in ``communitylab datasets``.
    files : tuple of DataFile
        What the kit reads; each verified by its sha256.
    origin : str
        The publisher's page: where the data were first published.
    licence, citation : str
        As the publisher states them (or as far as they can be established: see the notes).
    how : str
        How to get it when ``fetch`` cannot download it by itself (a login, a large archive).
    format : str
        The connector that reads it as a community; empty for tables (transactions, surveys, series).
    """

    name: str
    description: str
    files: tuple[DataFile, ...]
    origin: str
    licence: str
    citation: str
    how: str = ""
    format: str = ""

    @property
    def size(self) -> int:
        """Bytes of the files the kit reads."""
        return sum(f.size for f in self.files)

    @property
    def size_text(self) -> str:
        """``size`` in words (``'1.2 MB'``)."""
        return f"{self.size / 1e6:.1f} MB" if self.size >= 100_000 else f"{self.size / 1e3:.0f} kB"

    @property
    def downloadable(self) -> bool:
        """Whether ``fetch`` can download every file by itself."""
        return all(f.urls for f in self.files)


def data_home() -> Path:
    """The folder that holds fetched data sets, one sub-folder each.

    ``COMMUNITYLAB_DATA_DIR`` when set (a shared or read-only folder is fine once its files verify),
    else ``$XDG_CACHE_HOME/communitylab/data`` (``~/.cache/communitylab/data``).
    """
    env = os.environ.get("COMMUNITYLAB_DATA_DIR")
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "communitylab" / "data"


def project_data_dir() -> Path:
    """The data the project made itself (the seed survey's reconstruction), shipped in the package.

    Installed from a wheel they are ``communitylab/bundled_data``; in a source checkout, ``data/``.
    """
    from communitylab.files import packaged_folder

    return packaged_folder("bundled_data", "data")


def _se_site(name: str, site: str, repo: str, commit: str, folder: str, sums: dict[str, tuple[str, int]],
             description: str, dump: str) -> Dataset:
    files = tuple(DataFile(f, h, n, (f"{_RAW}/{repo}/{commit}/{folder}/{f}",)) for f, (h, n) in sums.items())
    return Dataset(
        name, description, files,
        origin=f"Stack Exchange Data Dump, https://archive.org/details/stackexchange ({site}.7z, {dump})",
        licence="CC BY-SA 3.0 (posts before 2018-05-02) / 4.0: attribute Stack Exchange and the authors",
        citation=f"Stack Exchange, Inc. {site} data dump ({dump}), https://archive.org/details/stackexchange",
        how=(f"Downloaded from the public copy {repo}@{commit[:7]}, byte for byte the {dump} dump; the Internet "
             f"Archive keeps only the newest dumps, whose files differ. From an old {site}.7z: "
             f"`communitylab datasets fetch {name} --from {site}.7z` (needs py7zr, or pass the extracted folder)."),
        format="stackexchange",
    )


_ENTRIES = (
    _se_site("stackexchange-beer", "beer.stackexchange.com", "strokyl/elasticsearch_play",
             "e672f7be188ca293b29017651f05162c4deca002", "beer.stackexchange.com", {
                 "Posts.xml": ("b4cb2e2aa5315debaae2853238f8907b1deae98d9553d544c4603bb5fe729ebf", 2244994),
                 "Comments.xml": ("3f7c849055d30ed65b6a63a3a7b576202ea2a86700cc0e199503b290999af076", 517839),
                 "Users.xml": ("50d8aed5ef1e1b5b1f54dee876b1e043c69e68338d76dbde921d4b2c5661d5a6", 1923530),
                 "Votes.xml": ("bdc2b4b4b290b62426c335f036bec40188b525ca86f535914e78011757def51c", 957779),
             }, "Beer Stack Exchange dump, 2014-2016 (591 questions)", "December 2016"),
    _se_site("stackexchange-quantumcomputing", "quantumcomputing.stackexchange.com", "Jean-Low/StackERedes",
             "3810a4fa6c25301551c3539fa7925afec5a68d2a", "data", {
                 "Posts.xml": ("073b5eef04721592722b8c9eb48f979cf7d95f4236cdd38517a04e1f5e27f313", 3949993),
                 "Comments.xml": ("77b2cdab4711677a87b6aad7ffe80b05004eb4aebd6b47c39bc93bda86495118", 1181974),
                 "Users.xml": ("a2bb01317ce28c5ffa30cc5cd9d6cbf9e91a050d4197cb940a94f1a860b763df", 1740823),
                 "Votes.xml": ("9b4b9031b7a807a09b8a1e3102ef357418940525b069cd4793b24275a7724eec", 1117831),
             }, "Quantum Computing Stack Exchange, first 6 months of 2018", "September 2018"),
    Dataset(
        "collegemsg", "UC Irvine student messages, 2004 (SNAP/KONECT)",
        (DataFile("CollegeMsg.txt", "e00ba2415373dee52c00616065bcceaa4750e78de60d1855c76470600f10740f", 1150439, (
            "https://snap.stanford.edu/data/CollegeMsg.txt.gz",
            f"{_RAW}/camicop/fakenews-diffusion/8638dc24c4893f1e97364facfd88ac10290c93a2/CollegeMsg.txt")),),
        origin="SNAP, https://snap.stanford.edu/data/CollegeMsg.html (also KONECT opsahl-ucsocial)",
        licence="SNAP asks for citation; KONECT: CC BY-SA 2.0 DE",
        citation="Panzarasa, Opsahl & Carley (2009). Patterns and dynamics of users' behavior and interaction: "
                 "network analysis of an online community. JASIST 60(5), 911-932.",
        format="edgelist",
    ),
    Dataset(
        "digg-reply", "Digg reply network, 2008 (KONECT)",
        (DataFile("munmun_digg_reply.txt", "dfecbc74d71465d011286daaf8a777a0349f70bb0cef3f8d8dc69041710e4344", 2055987, (
            f"{_RAW}/answerIII/GraphTheory2022-2023/849b4c836478068f886c950ca0070df3d23813dd/datasets/munmun_digg_reply.txt",)),),
        origin="KONECT, http://konect.cc/networks/munmun_digg_reply (munmun_digg_reply.tar.bz2)",
        licence="KONECT: CC BY-SA 2.0 DE; cite the authors",
        citation="De Choudhury, Sundaram, John & Seligmann (2009). Social synchrony: predicting mimicry of user "
                 "actions in online social media. Proc. CSE, 151-158; Kunegis (2013). KONECT. Proc. WWW Companion.",
        how="Downloaded from a public copy pinned to its commit (KONECT's tar.bz2 holds the same rows under a "
            "comment header, which the kit's checksum does not match).",
        format="edgelist",
    ),
    Dataset(
        "twcs-sample", "Customer Support on Twitter, first 5,000 tweets (brands are hosts)",
        (DataFile("twcs_head.csv", "02fe3ab3a8d27030732b6f25ef369d577ddc329fc8087ef6b25199ad0211308f", 892784, (
            f"{_RAW}/monalisapatra26/data_visualization/b79b6dcf2a30f84bdfdf66ff9f69f03540bfd6d6/twcs.csv",)),),
        origin="Kaggle, https://www.kaggle.com/datasets/thoughtvector/customer-support-on-twitter (login needed)",
        licence="CC BY-NC-SA 4.0 (as listed on Kaggle): non-commercial, for tests and examples",
        citation="ThoughtVector (2017). Customer Support on Twitter. Kaggle.",
        how="Kaggle needs a login, so the kit downloads the head sample from a public copy pinned to its "
            "commit; a copy you hold already: `communitylab datasets fetch twcs-sample --from twcs_head.csv`.",
        format="twcs",
    ),
    Dataset(
        "cdnow", "CDNOW purchases 1997-98 (master and 1/10 sample, summaries) and the BG/BB donations",
        tuple(DataFile(f, h, n, (f"{_RAW}/CamDavidsonPilon/lifetimes/{c}/lifetimes/datasets/{f}",)) for f, h, n, c in (
            ("CDNOW_master.txt", "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef", 1950500,
             "748620cd21c16bdb62ff1346e32c38ede7d62cb1"),
            ("CDNOW_sample.txt", "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a", 228327, "master"),
            ("cdnow_customers_summary.csv", "09d92ca80daaabe8be0f997d4c539f9c9606106baa5b199081fe01cbce5fa9f6", 40079, "master"),
            ("cdnow_customers_summary_with_transactions.csv",
             "7ddd11b55be3227edfc1d58675154e96971b0de3ad37ddd9280d1dba154b8b2f", 57085, "43b4648240ecb1024624766f92120ae6c6c0c286"),
            ("donations.csv", "82c25f26a201ff047e1cd5fe3d7967a45db92a025ecedee72ff8940e50104544", 256,
             "5dbe04e040f08af73b94eefef59b9406b26cd920"),
        )),
        origin="Bruce Hardie, http://www.brucehardie.com/datasets/ (CDNOW_master.zip, CDNOW_sample.zip)",
        licence="published for research and teaching, no explicit licence",
        citation="Fader, Hardie & Lee (2005). 'Counting your customers' the easy way. Marketing Science 24(2); "
                 "Fader, Hardie & Shang (2010). Marketing Science 29(6).",
        how="Downloaded from the lifetimes package's copies (archived repository), byte for byte Hardie's files.",
    ),
    Dataset(
        "api", "California API school samples (R survey package: apisrs, apistrat, apiclus1, apiclus2)",
        tuple(DataFile(f, h, n) for f, h, n in (
            ("apisrs.csv", "a5f26dcdc414d9f307dbc82f310edf13929ad327041bc7603886c9fe9ed585ad", 46070),
            ("apistrat.csv", "d6d94c1d4c2106bc3b9c3bcf531e2da2ce68de351e89e2753e1d510f919369dd", 48319),
            ("apiclus1.csv", "607846716eb039260bb6a2bdd22a258ce9854ec6bc42f67094962f0dc9c356c1", 43896),
            ("apiclus2.csv", "9d7f593f2b361ad44f6b8cf50233161ef0701cfa2d62820eb2dfe0420ed8913d", 29640),
        )),
        origin="R package survey (Lumley), https://cran.r-project.org/package=survey, data(api)",
        licence="GPL-2 | GPL-3 (the R package); public records of the California Department of Education",
        citation="Lumley, T. survey: analysis of complex survey samples. R package.",
        how=("R ships them inside the package only: in R, `library(survey); data(api); for (d in c('apisrs', "
             "'apistrat', 'apiclus1', 'apiclus2')) write.csv(get(d), paste0(d, '.csv'), row.names = FALSE)`, "
             "then `communitylab datasets fetch api --from FOLDER`."),
    ),
    Dataset(
        "synth", "Synthetic-control reference panels: Basque Country (1955-97) and West Germany (1960-2003)",
        (DataFile("basque.csv", "7f7f90d7a01984a33a2ea3efc311ce826c05b61234a52c27445adacc6f52bf70", 74244, (
            f"{_RAW}/sdfordham/pysyncon/e8c75d90bf31f030be467f86e66a5c22e4d66828/data/basque.csv",)),
         DataFile("germany.csv", "c59ff635faaf43729eaefdf5e9a4584fc3112a56fdab84b9ac5f78e1b6302e83", 39106, (
             f"{_RAW}/sdfordham/pysyncon/7911c3ffd9d6f2985aecbb19b39f160d7af1be51/germany.csv",))),
        origin="Abadie & Gardeazabal (2003) and Abadie, Diamond & Hainmueller (2015) replication data, as shipped by "
               "R's Synth package and the pysyncon repository",
        licence="pysyncon: MIT; the underlying figures are published statistics (cite the articles)",
        citation="Abadie & Gardeazabal (2003). The economic costs of conflict: a case study of the Basque Country. "
                 "AER 93(1), 113-132; Abadie, Diamond & Hainmueller (2015). Comparative politics and the synthetic "
                 "control method. AJPS 59(2), 495-510.",
        how="Downloaded from the pysyncon repository pinned to its commits, byte for byte.",
    ),
    Dataset(
        "sicily", "Acute coronary events in Sicily around the 2005 smoking ban (monthly, 2002-2006)",
        (DataFile("sicily.csv", "63a867b3fc8748425ff27a28202c19b4c2741e69a1ab753ad8e77c4e56457dda", 2104, (
            f"{_RAW}/gasparrini/2017_lopezbernal_IJE_codedata/85456263850d03ae39439e032929347c40ff3a26/sicily.csv",)),),
        origin="Lopez Bernal, Cummins & Gasparrini (2017), https://github.com/gasparrini/2017_lopezbernal_IJE_codedata",
        licence="no licence stated; aggregated counts, cite the article",
        citation="Lopez Bernal, Cummins & Gasparrini (2017). Interrupted time series regression for the evaluation "
                 "of public health interventions: a tutorial. Int J Epidemiol 46(1), 348-355.",
    ),
)

REGISTRY: dict[str, Dataset] = {d.name: d for d in _ENTRIES}
