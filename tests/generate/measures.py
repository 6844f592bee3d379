"""Headline figures of a generated inbox, worked out from its CSV files with DuckDB alone.

Deliberately independent of the loader and dbt: each figure follows the definition in
docs/indicators.md over the 12 months ending with the last complete month (snapshots: at
the end of each of those months), so the calibration tests check the generator, not the pipeline.
Figures are pooled over the LAs (numerators and denominators summed) unless asked per LA.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from pipeline.paths import SEEDS_DIR
from pipeline.generate.writer import NOT_GENERATED
from pipeline.specs import entities

MACROS = """
create macro age(b, t) as datediff('year', b, t) - (strftime(b, '%m%d') > strftime(t, '%m%d'))::int;
create macro wd(a, b) as (select i from wdi where d = b) - (select i from wdi where d = a);
"""


class Measures:
    def __init__(self, inbox: Path, extract: str) -> None:
        self.con = con = duckdb.connect()
        con.execute(f"""create table wdi as
            with days as (select unnest(generate_series(date '2000-01-01', date '2035-12-31', interval 1 day))::date as d)
            select d, sum(case when isodow(d) <= 5 and d not in
                   (select date::date from read_csv('{SEEDS_DIR / 'bank_holidays.csv'}')) then 1 else 0 end)
                   over (order by d) as i
            from days""")
        con.execute(MACROS)
        for name in set(entities()) - NOT_GENERATED:
            con.execute(f"""create table {name} as select *, split_part(filename, '/', -2) as la
                            from read_csv('{inbox}/*/{name}.csv', all_varchar = true, filename = true)""")
        year = int(extract[:4])
        con.execute("create table pop (la varchar, p integer)")
        for manifest in inbox.glob("*/manifest.yml"):
            data = yaml.safe_load(manifest.read_text())
            con.execute("insert into pop values (?, ?)", [data["la_code"], data["population_0_17"][year]])
        # the 12 months ending with the last complete month, and each of their month ends
        con.execute(f"""create table period as
            select (date_trunc('month', date '{extract}' + 1)::date - 1) as m1,
                   (date_trunc('month', date '{extract}' + 1) - interval 12 month)::date as m0""")
        con.execute("""create table month_ends as
            select (unnest(generate_series(m0 + interval 1 month, m1 + interval 1 day, interval 1 month)) - interval 1 day)::date as m1
            from period""")
        con.execute("""create view ep as select la, child_id, start_date::date s, end_date::date e,
                       reason_new_episode rne, legal_status ls from cla_episodes""")
        con.execute("create view kids as select la, child_id, date_of_birth::date dob from children")

    def _pooled(self, sql: str, per_la: bool) -> float | dict[str, float]:
        """sql yields (la, numerator, denominator); returns 100 * n / d (or the rate, as given)."""
        rows = self.con.execute(sql).fetchall()
        if per_la:
            return {la: (n / d if d else None) for la, n, d in rows}
        n, d = sum(r[1] for r in rows), sum(r[2] for r in rows)
        return n / d if d else None

    def in_period(self, column: str) -> str:
        return f"{column}::date between (select m0 from period) and (select m1 from period)"

    def rate_per_10k(self, entity: str, date_column: str, per_la: bool = False):
        return self._pooled(f"""select la, count(*) * 1e4, any_value(p) from {entity} join pop using (la)
                                where {self.in_period(date_column)} group by la""", per_la)

    def rereferral_percent(self, per_la: bool = False):
        return self._pooled(f"""select r.la, 100 * count(*) filter (where exists (
                    select 1 from referrals p where p.la = r.la and p.child_id = r.child_id
                    and p.referral_date::date < r.referral_date::date
                    and p.referral_date::date >= r.referral_date::date - interval 12 month)), count(*)
                from referrals r where {self.in_period('r.referral_date')} group by 1""", per_la)

    def contacts_to_referral_percent(self, per_la: bool = False):
        return self._pooled(f"""select la, 100 * count(*) filter (where outcome = 'REFERRAL'), count(*)
                                from contacts where {self.in_period('decision_datetime')} group by 1""", per_la)

    def assessments_within_percent(self, days: int, per_la: bool = False):
        return self._pooled(f"""select la, 100 * count(*) filter (where wd(start_date::date, authorisation_date::date) <= {days}),
                                count(*) from assessments where {self.in_period('authorisation_date')} group by 1""", per_la)

    def s47_to_icpc_percent(self, per_la: bool = False):
        return self._pooled(f"""select la, 100 * count(*) filter (where {self.in_period('icpc_date')}),
                                count(*) filter (where {self.in_period('start_date')}) from s47_enquiries group by 1""", per_la)

    def icpc_within_15wd_percent(self, per_la: bool = False):
        return self._pooled(f"""select la, 100 * count(*) filter (where wd(start_date::date, icpc_date::date) <= 15), count(*)
                                from s47_enquiries where {self.in_period('icpc_date')}
                                and icpc_date::date >= start_date::date group by 1""", per_la)

    def open_per_10k_by_month(self, entity: str) -> dict[str, list[float]]:
        """Children with a plan (or episode) open at each month end, per 10,000, per LA and pooled ('*')."""
        rows = self.con.execute(f"""
            with n as (select la, m1, count(distinct child_id) n from {entity}, month_ends
                       where start_date::date <= m1 and (end_date is null or end_date::date > m1) group by all)
            select la, list(round(n * 1e4 / p, 1) order by m1) from n join pop using (la) group by la, p
            union all
            select '*', list(round(n * 1e4 / (select sum(p) from pop), 1) order by m1)
            from (select m1, sum(n) n from n group by m1)
            order by 1""").fetchall()
        return dict(rows)

    def open_per_10k(self, entity: str):
        """Children with a plan (or episode) open at the month ends, per 10,000, pooled."""
        return self._pooled(f"""select la, count(distinct (child_id, m1)) * 1e4, any_value(p) * (select count(*) from month_ends)
                                from {entity} join pop using (la), month_ends
                                where start_date::date <= m1 and (end_date is null or end_date::date > m1)
                                group by la""", False)

    def looked_after_under_1_percent(self):
        return self._pooled("""select ep.la, 100 * count(distinct (ep.child_id, m1)) filter (where age(dob, m1) < 1),
                                      count(distinct (ep.child_id, m1))
                               from ep join kids using (la, child_id), month_ends
                               where s <= m1 and (e is null or e > m1) group by 1""", False)

    def three_placements_percent(self):
        """CLA_3PLUS_PLACEMENTS at each month end, pooled: placements begin with an S/P/T/U/B
        episode and last until the next one begins or the period of care ends."""
        return self._pooled("""
            with periods as (select *, sum((rne = 'S')::int) over (partition by la, child_id order by s) as period from ep),
            period_end as (select la, child_id, period, max(coalesce(e, date '9999-12-31')) pe from periods group by all),
            placements as (select p.la, p.child_id, p.s as ps,
                                  coalesce(lead(p.s) over (partition by p.la, p.child_id, p.period order by p.s), pe.pe) as pe
                           from periods p join period_end pe using (la, child_id, period)
                           where rne in ('S', 'P', 'T', 'U', 'B')),
            looked_after as (select distinct la, child_id, m1 from ep, month_ends
                             where s <= m1 and (e is null or e > m1) and ls not in ('V3', 'V4')),
            counted as (select l.la, l.child_id, l.m1, count(p.ps) n from looked_after l
                        left join placements p on p.la = l.la and p.child_id = l.child_id
                             and p.ps <= l.m1 and p.pe > l.m1 - interval 12 month
                        group by all)
            select la, 100 * count(*) filter (where n >= 3), count(*) from counted group by 1""", False)

    def long_term_stability_percent(self):
        """CLA_STABILITY_LT at each month end, pooled."""
        return self._pooled("""
            with periods as (select *, sum((rne = 'S')::int) over (partition by la, child_id order by s) as period from ep),
            span as (select la, child_id, period, min(s) ps from periods group by all),
            current_ as (select p.la, p.child_id, p.period, m1, p.ls from periods p, month_ends
                         where p.s <= m1 and (p.e is null or p.e > m1)),
            placement as (select c.la, c.child_id, c.m1, max(p.s) placed from current_ c
                          join periods p using (la, child_id, period)
                          where p.s <= c.m1 and p.rne in ('S', 'P', 'T', 'U', 'B') group by all)
            select c.la, 100 * count(*) filter (where placed <= c.m1 - interval 24 month), count(*)
            from current_ c join span s using (la, child_id, period) join placement pl using (la, child_id, m1)
                 join kids k using (la, child_id)
            where s.ps <= c.m1 - interval 30 month and c.ls not in ('V3', 'V4') and age(k.dob, c.m1) < 16
            group by 1""", False)

    def care_leavers_percent(self, condition: str):
        """Of care leavers aged 19-21 at the last month end (not died), the share meeting condition."""
        return self._pooled(f"""select cl.la, 100 * count(*) filter (where {condition}), count(*)
                                from care_leavers cl join kids using (la, child_id), period
                                where in_touch <> 'DIED' and age(dob, m1) between 19 and 21 group by 1""", False)
