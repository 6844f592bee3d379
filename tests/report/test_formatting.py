"""How a mean in days or weeks (care.md A) reads on the page and in the workbook."""

from pipeline.report.formatting import EXCEL_FORMATS, UNIT_LABELS, fmt_change, fmt_fraction, fmt_value


def test_days_and_weeks_read_with_their_unit():
    assert fmt_value(236.4, "days") == "236 days"  # whole days
    assert fmt_value(1236.4, "days") == "1,236 days"
    assert fmt_value(24.0, "weeks") == "24.0 weeks"  # weeks to one place
    assert fmt_value(None, "weeks") == "–"
    assert fmt_change(-3.46, "weeks") == "−3.5 weeks"
    assert fmt_change(12.0, "days") == "+12 days"
    # the fraction under a mean: total days over the cohort
    assert fmt_fraction(2360, 10, "days") == "2,360 days over 10"
    assert fmt_fraction(280, 2, "weeks") == "280 days over 2"


def test_workbook_formats_and_labels_cover_every_unit():
    units = {"count", "percent", "rate_per_10k", "average", "days", "weeks"}
    assert set(EXCEL_FORMATS) == units and set(UNIT_LABELS) == units
    assert EXCEL_FORMATS["weeks"] == '0.0" weeks"' and EXCEL_FORMATS["days"] == '#,##0" days"'
