"""The inlined vega bundle costs vl-convert over a second of CPU to make: a report step reads it from
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
