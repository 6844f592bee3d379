"""The vega bundle costs vl-convert over a second of CPU to make: a report step reads it from
the user's cache instead, where the first one to need it left it, named by the versions it holds."""

import vl_convert

from pipeline.report import html


def test_the_vega_bundle_is_made_once_and_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    html.vega_bundle.cache_clear()
    try:
        made = html.vega_bundle()
        cached = list((tmp_path / "pipeline").iterdir())
        assert len(cached) == 1 and vl_convert.__version__ in cached[0].name
        assert cached[0].read_text(encoding="utf-8") == made == vl_convert.javascript_bundle()

        cached[0].write_text("// from the cache", encoding="utf-8")
        html.vega_bundle.cache_clear()  # as in a new process
        assert html.vega_bundle() == "// from the cache"
    finally:
        html.vega_bundle.cache_clear()


def test_a_pack_holds_the_bundle_once_named_by_its_content(tmp_path, monkeypatch):
    """The pages of a pack load assets/vega-bundle.<hash>.js: written once, and a new bundle (vl-convert
    upgraded) gets a name of its own, so the pages written before keep the script they were drawn with."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pack = tmp_path / "reports"
    html.vega_bundle.cache_clear()
    try:
        src = html.shared_bundle(pack)
        assert src.startswith("assets/vega-bundle.") and src.endswith(".js")
        assert (pack / src).read_text(encoding="utf-8") == html.vega_bundle()
        written = (pack / src).stat().st_mtime_ns
        assert html.shared_bundle(pack) == src and (pack / src).stat().st_mtime_ns == written  # not written again

        (tmp_path / "cache" / "pipeline").iterdir().__next__().write_text("// vega, upgraded", encoding="utf-8")
        html.vega_bundle.cache_clear()
        newer = html.shared_bundle(pack)
        assert newer != src and (pack / newer).read_text(encoding="utf-8") == "// vega, upgraded"
        assert (pack / src).exists() and sorted(p.name for p in (pack / "assets").iterdir()) == sorted(
            p.split("/")[1] for p in (src, newer))  # nothing else there: no temp file left
    finally:
        html.vega_bundle.cache_clear()
