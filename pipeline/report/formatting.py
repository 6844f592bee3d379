"""How figures read on the page and in the workbook: units, RAG words, direction of travel."""

from datetime import date
from functools import cache

# Excel number formats by unit (percent values are 0-100, so the sign is a literal; a days or weeks
# mean carries its unit as a literal the same way)
EXCEL_FORMATS = {"percent": '0.0"%"', "rate_per_10k": "0.0", "average": "0.0", "count": "#,##0",
                 "days": '#,##0" days"', "weeks": '0.0" weeks"'}

RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red"}
RAG_MEANING = {
    "green": "meets the target",
    "amber": "misses the target by no more than the tolerance",
    "red": "misses the target by more than the tolerance",
}

POLARITY_LABELS = {
    "higher_is_better": "Higher is better",
    "lower_is_better": "Lower is better",
    "neutral": "No better direction",
}

UNIT_LABELS = {"percent": "%", "rate_per_10k": "per 10,000 children", "average": "average", "count": "number",
               "days": "days (mean)", "weeks": "weeks (mean)"}

# a mean duration reads with its unit: whole days ("236 days"), weeks to one place ("24.0 weeks")
DURATION_FORMATS = {"days": "{:,.0f} days", "weeks": "{:,.1f} weeks"}

# scorecard direction words -> (css class: good / bad / neutral)
DIRECTION_TONE = {
    "improving": "good",
    "worsening": "bad",
    "no change": "neutral",
    "increased": "neutral",
    "decreased": "neutral",
    "not comparable": "none",
}

SUPPRESSED = "[c]"  # GSS convention for a figure withheld to protect individuals


def fmt_value(value: float | None, unit: str | None, missing: str = "–") -> str:
    if value is None:
        return missing
    if unit == "percent":
        return f"{value:.1f}%"
    if unit in ("rate_per_10k", "average"):
        return f"{value:,.1f}"
    if unit in DURATION_FORMATS:
        return DURATION_FORMATS[unit].format(value)
    return f"{value:,.0f}"


def fmt_change(value: float | None, unit: str | None) -> str:
    """A signed difference: percentage points for percents."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    magnitude = abs(value)
    if unit == "percent":
        return f"{sign}{magnitude:.1f} pts"
    if unit in ("rate_per_10k", "average"):
        return f"{sign}{magnitude:,.1f}"
    if unit in DURATION_FORMATS:
        return sign + DURATION_FORMATS[unit].format(magnitude)
    return f"{sign}{magnitude:,.0f}"


def fmt_fraction(numerator: int | None, denominator: int | None, unit: str | None) -> str:
    """'153 of 192' under a percent, the count and population under a rate, '2,360 days over 10' under a
    days or weeks mean; nothing for plain counts."""
    if unit == "percent" and numerator is not None and denominator is not None:
        return f"{numerator:,} of {denominator:,}"
    if unit == "rate_per_10k" and numerator is not None and denominator is not None:
        return f"{numerator:,} in {denominator:,} children"
    if unit in DURATION_FORMATS and numerator is not None and denominator is not None:
        return f"{numerator:,} days over {denominator:,}"
    return ""


def movement(value: float | None, earlier: float | None) -> str:
    """up / down / same / none, compared as displayed (1 decimal place) like the scorecard's direction."""
    if value is None or earlier is None:
        return "none"
    a, b = round(value, 1), round(earlier, 1)
    return "up" if a > b else "down" if a < b else "same"


ARROWS = {"up": "▲", "down": "▼", "same": "▶", "none": "–"}


@cache  # a report asks for the same few months tens of thousands of times, and strftime is slow
def month_label(day: date, short: bool = False) -> str:
    return day.strftime("%b %y" if short else "%B %Y")


def month_key(day: date) -> str:
    return day.strftime("%Y-%m")
