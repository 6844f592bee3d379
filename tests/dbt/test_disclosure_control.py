"""No withheld figure of the shareable tables can be worked out from the published shareable rows
(docs/disclosure-control.md), on a real refresh of synthetic LAs.

An attacker knows every identity that holds between published rows: a financial year to date is the
sum of its months (and so is a rolling 12 months), a total ('all') is the sum of the cells of each
breakdown, both hold for breakdown cells across periods, and a percent's numerator is at most its
denominator. The test starts from what each shareable row alone says of its counts (a shown count
r >= 5 was 5..r+2 or r-2..r+2; a withheld one was 0..4) and tightens every bound through all those
identities at once until nothing changes (interval constraint propagation: what chaining FYTDs,
rolling years and breakdowns together can reveal, not only one identity at a time). Every withheld
count must still have at least two possible values. scorecard_shareable repeats figures of
indicator_values_shareable and nothing else, which the last test checks.
"""

from collections import defaultdict

import duckdb
import pytest

from pipeline.generate import generate_inbox
from pipeline.defs.refresh import run_refresh

SMALL, BASE = 4, 5
INF = float("inf")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("disclosure")
    generate_inbox(root / "inbox", n_las=2, months=24)
    assert run_refresh(root / "inbox", root / "warehouse.duckdb").success
    return root / "warehouse.duckdb"


def quantities(warehouse) -> dict:
    """(la, indicator, period_type, period_start, period_end, dimension, dimension_value, quantity) ->
    (true count, shown count or None, withheld, quantity); quantity: 'n' for counts, 'num'/'den' for
    percents, 'num' for rates (their denominator is the public population), 'avg_num'/'avg_den' for averages."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""
            select v.la_code, v.indicator_id, v.period_type, v.period_start, v.period_end, v.dimension,
                   v.dimension_value, c.unit, v.numerator, v.denominator, v.value,
                   s.numerator, s.denominator, s.value, s.suppressed
            from published.indicator_values v
            join published.indicator_values_shareable s using
                 (la_code, indicator_id, period_type, period_end, dimension, dimension_value)
            join published.indicator_catalogue c on c.id = v.indicator_id""").fetchall()
    out = {}
    for *key, unit, num, den, value, s_num, s_den, s_value, withheld in rows:
        pairs = {"count": [("n", value, s_value)], "percent": [("num", num, s_num), ("den", den, s_den)],
                 "rate_per_10k": [("num", num, s_num)],
                 # an average's numerator is not bounded by its denominator (children per worker), so its
                 # terms get names of their own that the numerator <= denominator identity skips
                 "average": [("avg_num", num, s_num), ("avg_den", den, s_den)],
                 # days (care.md A): days summed over a cohort of children, withheld when either term is
                 # 0-4, so, as for an average, neither term is bounded alone nor by the other
                 "days": [("avg_num", num, s_num), ("avg_den", den, s_den)]}[unit]
        for q, true, shown in pairs:
            if true is not None:
                out[(*key, q)] = (round(true), None if shown is None else round(shown), withheld, q)
    return out


def rounded_bounds(entry) -> tuple[float, float]:
    """What an attacker knows of one term from its shareable row alone, under the published method."""
    _, shown, withheld, quantity = entry
    if withheld:  # a withheld row has a count of 0..4; for a percent that bounds the numerator (<= denominator);
        # an average is withheld when either term is 0..4, which bounds neither on its own
        return (0, SMALL) if quantity in ("n", "num") else (0, INF)
    return max(shown - BASE // 2, SMALL + 1), shown + BASE // 2


def exact_bounds(entry) -> tuple[float, float]:
    """The same, had every shown count been published exactly (suppression without rounding)."""
    true, _, withheld, _ = entry
    return rounded_bounds(entry) if withheld else (true, true)


def identities(q: dict) -> list[tuple[tuple, list[tuple]]]:
    """(total, parts) pairs of keys that hold exactly in the internal figures."""
    months = defaultdict(list)
    cells = defaultdict(list)
    totals = {}
    for key in q:
        la, ind, ptype, start, end, dim, dv, qty = key
        if ptype == "month":
            months[(la, ind, dim, dv, qty)].append(key)
        if dim == "all":
            totals[(la, ind, ptype, end, qty)] = key
        else:
            cells[(la, ind, ptype, end, dim, qty)].append(key)
    found = []
    for key in q:
        la, ind, ptype, start, end, dim, dv, qty = key
        if ptype in ("fytd", "r12m"):
            found.append((key, [k for k in months[(la, ind, dim, dv, qty)] if start <= k[4] <= end]))
    for (la, ind, ptype, end, dim, qty), parts in cells.items():
        if (la, ind, ptype, end, qty) in totals:
            found.append((totals[(la, ind, ptype, end, qty)], parts))
    return [(t, p) for t, p in found if p and q[t][0] == sum(q[k][0] for k in p)]


def propagate(q: dict, bound) -> dict:
    """Each term's bounds after applying every identity (total = sum of parts; numerator <= denominator)
    until none tightens any more: the most an attacker reasoning over intervals can pin."""
    b = {k: list(bound(v)) for k, v in q.items()}
    sums = identities(q)
    ratios = [(k, (*k[:7], "den")) for k in q if k[7] == "num" and (*k[:7], "den") in q]
    changed = True
    while changed:
        changed = False

        def tighten(key, lo, hi):
            nonlocal changed
            if lo > b[key][0]:
                b[key][0], changed = lo, True
            if hi < b[key][1]:
                b[key][1], changed = hi, True

        for total, parts in sums:
            tighten(total, sum(b[k][0] for k in parts), sum(b[k][1] for k in parts))
            lo_sum = sum(b[k][0] for k in parts)
            infinite = sum(b[k][1] == INF for k in parts)
            hi_finite = sum(b[k][1] for k in parts if b[k][1] != INF)
            for k in parts:
                others_hi = INF if infinite - (b[k][1] == INF) else hi_finite - (b[k][1] if b[k][1] != INF else 0)
                tighten(k, b[total][0] - others_hi, b[total][1] - (lo_sum - b[k][0]))
        for num, den in ratios:
            tighten(num, b[num][0], b[den][1])
            tighten(den, b[num][0], b[den][1])
    return b


def pinned(q: dict, bound) -> tuple[int, list]:
    """(withheld counts of 0..4 checked, those an attacker narrows to one value)."""
    b = propagate(q, bound)
    checked, found = 0, []
    for key, (true, _, withheld, _) in q.items():
        if withheld and 0 <= true <= SMALL:
            checked += 1
            lo, hi = b[key]
            assert lo <= true <= hi, (key, true, lo, hi)  # the attacker's reasoning is sound
            if min(hi, SMALL) - max(lo, 0) + 1 < 2:
                found.append((key, true))
    return checked, found


def test_no_withheld_count_can_be_recomputed(warehouse):
    checked, found = pinned(quantities(warehouse), rounded_bounds)
    assert checked >= 1000  # real attack surface: withheld small terms in months, FYTDs, r12m and breakdowns
    assert not found, found[:10]


def test_suppression_without_rounding_would_leak(warehouse):
    """The same attack on shown counts left exact (the first method) pins withheld values: the check has teeth."""
    _, found = pinned(quantities(warehouse), exact_bounds)
    assert len(found) >= 10


def test_shown_counts_are_multiples_of_5_and_rates_follow_them(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        bad = con.execute("""
            select s.* from published.indicator_values_shareable s
            join published.indicator_catalogue c on c.id = s.indicator_id
            where not s.suppressed and (
                (c.unit = 'count' and (s.value % 5 <> 0 or s.value < 5))
                or (c.unit in ('percent', 'rate_per_10k') and (s.numerator % 5 <> 0 or s.numerator < 5))
                or (c.unit = 'percent' and (s.denominator % 5 <> 0
                    or abs(s.value - 100.0 * s.numerator / s.denominator) > 1e-9)))""").fetchall()
    assert not bad, bad[:5]


def test_the_shareable_scorecard_adds_no_figure(warehouse):
    """Every figure of scorecard_shareable is the shareable value of its month, the month before, a year
    before, the FYTD or rolling 12 months (null where that is withheld), so it reveals nothing more."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        checked, bad = con.execute("""
            with v as (select * from published.indicator_values_shareable where dimension = 'all'),
            joined as (
                select s.*, m.value as m_value, m.numerator as m_num, m.denominator as m_den,
                       p.value as p_value, y.value as y_value, f.value as f_value, r.value as r_value
                from published.scorecard_shareable s
                left join v m on m.period_type = 'month' and (m.la_code, m.indicator_id, m.period_end)
                              = (s.la_code, s.indicator_id, s.period_end)
                left join v p on p.period_type = 'month' and (p.la_code, p.indicator_id)
                              = (s.la_code, s.indicator_id) and p.period_start = s.period_start - interval 1 month
                left join v y on y.period_type = 'month' and (y.la_code, y.indicator_id)
                              = (s.la_code, s.indicator_id) and y.period_start = s.period_start - interval 1 year
                left join v f on f.period_type = 'fytd' and (f.la_code, f.indicator_id, f.period_end)
                              = (s.la_code, s.indicator_id, s.period_end)
                left join v r on r.period_type = 'r12m' and (r.la_code, r.indicator_id, r.period_end)
                              = (s.la_code, s.indicator_id, s.period_end))
            select count(*), count(*) filter (where
                value is distinct from m_value or numerator is distinct from m_num
                or denominator is distinct from m_den or previous_month_value is distinct from p_value
                or same_month_last_year_value is distinct from y_value
                or (fytd_value is not null and fytd_value is distinct from f_value)
                or (r12m_value is not null and r12m_value is distinct from r_value))
            from joined""").fetchone()
    assert checked > 1000 and bad == 0
