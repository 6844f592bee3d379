"""Control pages for the report tests' console check (tests/report/chromium.py): a page that logs an
error, or throws one, must show up in `Rendered.console`, so `console == []` in test_report.py means
"nothing was logged" and not "Chromium's log format changed and nothing was captured"."""

from tests.report import chromium

ERROR_PAGE = """<!doctype html><html><body><p>control</p><script>
console.error("control-error: the scorecard failed to draw");
</script></body></html>"""

THROWING_PAGE = """<!doctype html><html><body><p>control</p><script>
throw new Error("control-uncaught: vega-embed is not defined");
</script></body></html>"""

CLEAN_PAGE = """<!doctype html><html><body><p id="x">control</p><script>
document.getElementById("x").textContent = "drawn";
</script></body></html>"""


def test_a_console_error_is_captured(tmp_path):
    page = tmp_path / "error.html"
    page.write_text(ERROR_PAGE)
    rendered = chromium.render(page)
    assert "<p>control</p>" in rendered.dom  # the page did load
    assert any("control-error: the scorecard failed to draw" in line for line in rendered.console), rendered.console


def test_an_uncaught_exception_is_captured(tmp_path):
    page = tmp_path / "throws.html"
    page.write_text(THROWING_PAGE)
    rendered = chromium.render(page)
    assert any("control-uncaught: vega-embed is not defined" in line for line in rendered.console), rendered.console


def test_a_clean_page_logs_nothing(tmp_path):
    page = tmp_path / "clean.html"
    page.write_text(CLEAN_PAGE)
    rendered = chromium.render(page)
    assert '<p id="x">drawn</p>' in rendered.dom and rendered.console == []
