"""communitylab import SOURCE STORE: an export appended to a store, twice without duplicates, hosts kept."""

from __future__ import annotations

from communitylab.cli import main
from communitylab.loaders import load_source, open_store
from communitylab.simulate import simulate


def test_import_appends_skips_what_is_there_and_keeps_the_hosts(tmp_path, capsys):
    sim = simulate("brand_centric")
    export = sim.write_support_export(tmp_path / "support.csv")
    store = tmp_path / "store"
    assert main(["import", str(export), str(store)]) == 0
    first = capsys.readouterr().out
    direct = load_source(export)
    assert f"{direct.report.rows_loaded:,} events written" in first
    assert main(["import", str(export), str(store)]) == 0  # the same export again: nothing new
    assert f"0 events written to {store}, {direct.report.rows_loaded:,} already in it" in capsys.readouterr().out
    opened = open_store(store)
    assert opened.hosts == direct.hosts and len(opened.hosts) > 0  # no hosts given: the import kept the brands
    assert len(opened.to_pandas()) == direct.report.rows_loaded
    assert any("kept by the import" in n for n in opened.report.notes)
    # the export's format is kept too: a store of support threads is compared with support communities
    from communitylab.engagement.peers import kind_of

    assert (opened.format, opened.origin_format, kind_of(opened)) == ("store", "twcs", "support")
    assert opened.host_rule == f"kept by the import: {direct.host_rule}"
    assert load_source(store).origin_format == "twcs"  # as the studies open it


def test_import_refuses_what_it_cannot_read(tmp_path, capsys):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["import", str(bad), str(tmp_path / "store")]) == 2
    assert "communitylab:" in capsys.readouterr().err
    assert main(["import", str(bad), str(tmp_path / "store"), "-p", "name", "x"]) == 2
