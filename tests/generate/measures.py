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
from pipeline.specs import entities

# entities of the contract the generator does not produce (none since care.md's landed): not written,
# i.e. not supplied; every other entity of the contract is generated
NOT_GENERATED_YET: frozenset[str] = frozenset()

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
        for name in set(entities()) - NOT_GENERATED_YET:
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
        # practice.md section 2: open to children's social care, chained into cases (intervals
        # overlapping or touching); a case covers X when cs <= X < ce
        con.execute("""create view csc as
            select la, child_id, referral_date::date s, coalesce(closure_date::date, date '9999-12-31') e
            from referrals where referral_nfa = 'N'
            union all select la, child_id, start_date::date, coalesce(end_date::date, date '9999-12-31') from cp_plans
            union all select la, child_id, s, coalesce(e, date '9999-12-31') from ep""")
        con.execute("""create table cases as
            with o as (select *, max(e) over (partition by la, child_id order by s, e
                                              rows between unbounded preceding and 1 preceding) reach from csc),
            i as (select *, sum((reach is null or s > reach)::int) over (partition by la, child_id order by s, e
                                                                     rows unbounded preceding) chain from o)
            select la, child_id, min(s) cs, max(e) ce from i group by la, child_id, chain""")

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

    # -- practice.md ---------------------------------------------------------------------------
    def contacts_decided_24h_percent(self, per_la: bool = False):
        """CON_DECIDED_24H: decisions in the period, elapsed wall-clock time at most 24:00:00."""
        return self._pooled(f"""select la, 100 * count(*) filter (where decision_datetime::timestamp
                                    <= contact_datetime::timestamp + interval 24 hour), count(*)
                                from contacts where {self.in_period('decision_datetime')}
                                and decision_datetime::timestamp >= contact_datetime::timestamp group by 1""", per_la)

    def s47_timely_percent(self, per_la: bool = False):
        """S47_TIMELY with s47_complete_wd 15."""
        return self._pooled(f"""select la, 100 * count(*) filter (where wd(start_date::date, end_date::date) <= 15), count(*)
                                from s47_enquiries where {self.in_period('end_date')}
                                and end_date::date >= start_date::date group by 1""", per_la)

    def s47_nfa_percent(self):
        return self._pooled(f"""select la, 100 * count(*) filter (where outcome = 'NFA'), count(*) from s47_enquiries
                                where {self.in_period('end_date')} and outcome is not null group by 1""", False)

    def strategy_timely_percent(self):
        """STR_TIMELY with strategy_complete_wd 1, from the earlier of initiated and discussion date."""
        return self._pooled(f"""with s as (select la, least(discussion_date::date, coalesce(initiated_date::date,
                                           discussion_date::date)) s, completed_date::date c from strategy_discussions)
                                select la, 100 * count(*) filter (where wd(s, c) <= 1), count(*) from s
                                where {self.in_period('c')} and c >= s group by 1""", False)

    def cin_visit_timely_percent(self):
        """CIN_VISIT_TIMELY at each month end, cin_visit_wd = cin_disabled_visit_wd = 20: children on a
        CIN plan, neither on a CP plan nor looked after, whose earliest covering plan began 20+
        working days before; those with a CIN visit in the last 20 working days."""
        return self._pooled("""
            with cohort as (
                select p.la, p.child_id, m1, min(p.start_date::date) ps from cin_plans p, month_ends
                where p.start_date::date <= m1 and (p.end_date is null or p.end_date::date > m1)
                  and not exists (select 1 from cp_plans c where c.la = p.la and c.child_id = p.child_id
                                  and c.start_date::date <= m1 and (c.end_date is null or c.end_date::date > m1))
                  and not exists (select 1 from ep where ep.la = p.la and ep.child_id = p.child_id
                                  and s <= m1 and (e is null or e > m1))
                group by all),
            seen as (select c.la, c.child_id, c.m1, max(v.visit_date::date) last_visit from cohort c
                     left join visits v on v.la = c.la and v.child_id = c.child_id and v.visit_type = 'CIN'
                          and v.visit_date::date <= c.m1 group by all)
            select c.la, 100 * count(*) filter (where wd(s.last_visit, c.m1) <= 20), count(*)
            from cohort c join seen s using (la, child_id, m1) where wd(c.ps, c.m1) >= 20 group by 1""", False)

    def cin_review_timely_percent(self):
        """CIN_REVIEW_TIMELY, first review due 3 months after the plan starts, each later one 3
        months after the previous."""
        return self._pooled(f"""
            with r as (select distinct r.la, r.cin_plan_id, r.review_date::date d, p.start_date::date ps
                       from cin_reviews r join cin_plans p using (la, cin_plan_id)
                       where r.review_date::date >= p.start_date::date),
            due as (select *, coalesce(lag(d) over (partition by la, cin_plan_id order by d) + interval 3 month,
                                       ps + interval 3 month) due from r)
            select la, 100 * count(*) filter (where d <= due), count(*) from due where {self.in_period('d')} group by 1""",
            False)

    def supervised_within_month_percent(self):
        """SUP_WITHIN_1M at each month end: children open to CSC with a CASE_SUPERVISION record
        dated from their case start to M1, on or after M1 - 1 month."""
        return self._pooled("""
            select c.la, 100 * count(*) filter (where exists (
                       select 1 from supervisions s where s.la = c.la and s.child_id = c.child_id
                       and s.type = 'CASE_SUPERVISION' and s.supervision_date::date <= m1
                       and s.supervision_date::date >= greatest(c.cs, m1 - interval 1 month))), count(*)
            from cases c, month_ends where cs <= m1 and ce > m1 group by 1""", False)

    def unallocated_percent(self):
        """ALL_UNALLOCATED at each month end, as a share of the children open to CSC."""
        return self._pooled("""
            select c.la, 100 * count(*) filter (where not exists (
                       select 1 from allocations a where a.la = c.la and a.child_id = c.child_id
                       and a.worker_id is not null and a.worker_role in ('SW', 'ASYE')
                       and a.start_date::date <= m1 and (a.end_date is null or a.end_date::date > m1))), count(*)
            from cases c, month_ends where cs <= m1 and ce > m1 group by 1""", False)

    def caseloads(self) -> list[int]:
        """Every social worker's caseload (distinct children) at each month end."""
        return [n for (n,) in self.con.execute("""
            select count(distinct child_id) from allocations, month_ends
            where worker_id is not null and worker_role in ('SW', 'ASYE')
              and start_date::date <= m1 and (end_date is null or end_date::date > m1)
            group by la, m1, worker_id""").fetchall()]

    def workforce_percent(self, status: str):
        """WF_<status>_PCT at each month end: FTE of established posts with the status / all established FTE."""
        return self._pooled(f"""
            with snap as (select w.*, m1 from workforce_posts w, month_ends
                          where as_at_date::date between date_trunc('month', m1) and m1
                          qualify as_at_date::date = max(as_at_date::date) over (partition by w.la, m1))
            select la, 100 * coalesce(sum(fte::decimal(18, 2)) filter (where status = '{status}'), 0), sum(fte::decimal(18, 2))
            from snap where established = 'Y' group by 1""", False)

    def eh_plan_timely_percent(self):
        """EH_PLAN_TIMELY with eh_plan_wd 30."""
        return self._pooled(f"""select la, 100 * count(*) filter (where wd(start_date::date, plan_start_date::date) <= 30),
                                count(*) from early_help_episodes where {self.in_period('plan_start_date')} group by 1""",
                            False)

    # -- care.md (section C) ---------------------------------------------------------------------
    # LAC(M1): the episode open at M1 (latest start, then greatest episode_id) not under V3/V4
    OPEN_AT_M1 = """(select e.*, m1 from cla_episodes e, month_ends
                     where start_date::date <= m1 and (end_date is null or end_date::date > m1)
                     qualify row_number() over (partition by e.la, e.child_id, m1
                                                order by start_date::date desc, episode_id desc) = 1)"""
    # periods of care: a run of episodes from an S episode; ps its start, pe its last day (null while open)
    PERIODS = """(select *, min(s) over p ps, max(coalesce(e, date '9999-12-31')) over p pe from
                    (select *, sum((rne = 'S')::int) over (partition by la, child_id order by s, episode_id) period
                     from (select *, start_date::date s, end_date::date e, reason_new_episode rne from cla_episodes))
                  window p as (partition by la, child_id, period))"""

    def looked_after_per_10k(self):
        """CLA_RATE: LAC(M1) children per 10,000 at the month ends, pooled."""
        return self._pooled(f"""select la, count(*) * 1e4, any_value(p) * (select count(*) from month_ends)
                                from {self.OPEN_AT_M1} join pop using (la)
                                where legal_status not in ('V3', 'V4') group by la""", False)

    def short_breaks_percent(self):
        """CLA_SHORT_BREAKS as a share of the children with an episode open at M1."""
        return self._pooled(f"""select la, 100 * count(*) filter (where legal_status in ('V3', 'V4')), count(*)
                                from {self.OPEN_AT_M1} group by la""", False)

    def placement_mix(self) -> dict[str, float]:
        """LAC(M1) by SSC's groups (care.md D's placement_group, combined as SSC publishes them), in %."""
        rows = self.con.execute(f"""
            with g as (select case when placement_type in ('A3', 'A4', 'A5', 'A6') then 'adoption'
                                   when placement_type = 'P1' then 'parents or family and friends'
                                   when placement_type in ('U1', 'U2', 'U3', 'U4', 'U5', 'U6')
                                        and placement_provider in ('PR4', 'PR5') then 'IFA'
                                   when placement_type in ('U1', 'U2', 'U3') then 'parents or family and friends'
                                   when placement_type in ('U4', 'U5', 'U6') then 'general foster care'
                                   when placement_type in ('K1', 'K2', 'R1', 'S1') then 'residential'
                                   else 'others' end grp
                       from {self.OPEN_AT_M1} where legal_status not in ('V3', 'V4'))
            select grp, 100 * count(*) / sum(count(*)) over () from g group by grp""").fetchall()
        return dict(rows)

    def cla_review_timely_percent(self):
        """CLA_REVIEW_TIMELY: counted reviews (inside a period of care, not under V3/V4) numbered per
        period; due WD20(start), then first + 3 months, then previous + 6 months."""
        return self._pooled(f"""
            with p as (select la, child_id, period, any_value(ps) ps, any_value(pe) pe from {self.PERIODS} group by all),
            r as (select distinct r.la, r.child_id, r.review_date::date d, p.period, p.ps from cla_reviews r
                  join p on p.la = r.la and p.child_id = r.child_id and r.review_date::date between p.ps and p.pe
                  where exists (select 1 from cla_episodes e where e.la = r.la and e.child_id = r.child_id
                                and e.start_date::date <= r.review_date::date
                                and coalesce(e.end_date::date, date '9999-12-31') >= r.review_date::date
                                and e.legal_status not in ('V3', 'V4'))),
            n as (select *, row_number() over w k, lag(d) over w prev from r
                  window w as (partition by la, child_id, period order by d))
            select la, 100 * count(*) filter (where case k when 1 then wd(ps, d) <= 20
                                                             when 2 then d <= prev + interval 3 month
                                                             else d <= prev + interval 6 month end), count(*)
            from n where {self.in_period('d')} group by 1""", False)

    def cla_visit_timely_percent(self):
        """CLA_VISIT_TIMELY at each month end (care.md C.2)."""
        return self._pooled(f"""
            with o as (select * from {self.OPEN_AT_M1} where legal_status not in ('V3', 'V4')
                       and placement_type not in ('A3', 'A4', 'A5', 'A6')),
            pl as (select o.la, o.child_id, o.m1, o.placement_type, max(p.s) ps from o
                   join {self.PERIODS} p on p.la = o.la and p.child_id = o.child_id
                        and o.start_date::date between p.ps and p.pe
                   where p.s <= o.m1 and p.rne in ('S', 'P', 'T', 'U', 'B') group by all),
            v as (select pl.*, max(v.visit_date::date) v from pl left join visits v
                  on v.la = pl.la and v.child_id = pl.child_id and v.visit_type = 'CLA'
                  and v.visit_date::date between pl.ps and pl.m1 group by all)
            select la, 100 * count(*) filter (where case
                       when v is null then ps + 7
                       when v < ps + interval 12 month then v + 42
                       when placement_type in ('U1', 'U4') then (v + interval 3 month)::date
                       else v + 42 end >= m1), count(*)
            from v group by 1""", False)

    def _in_care_12_months(self) -> str:
        """LAC(M1) children whose current period of care started on or before M1 - 12 months."""
        return f"""(select o.la, o.child_id, o.m1 from {self.OPEN_AT_M1} o
                    join {self.PERIODS} p on p.episode_id = o.episode_id and p.la = o.la
                    where o.legal_status not in ('V3', 'V4') and p.ps <= o.m1 - interval 12 month)"""

    def dental_uptodate_percent(self):
        """CLA_DENTAL_UPTODATE at each month end."""
        return self._pooled(f"""
            select c.la, 100 * count(*) filter (where exists (
                       select 1 from cla_health h where h.la = c.la and h.child_id = c.child_id
                       and h.event_type = 'DENTAL' and h.event_date::date between c.m1 - interval 12 month and c.m1)),
                   count(*)
            from {self._in_care_12_months()} c group by 1""", False)

    def health_uptodate_percent(self):
        """CLA_HEALTH_UPTODATE at each month end (6 months for under 5s, 12 otherwise)."""
        return self._pooled(f"""
            select c.la, 100 * count(*) filter (where exists (
                       select 1 from cla_health h join kids k using (la, child_id)
                       where h.la = c.la and h.child_id = c.child_id and h.event_type in ('IHA', 'RHA')
                       and h.event_date::date <= c.m1 and h.event_date::date >= c.m1 - case when age(k.dob, c.m1) < 5
                           then interval 6 month else interval 12 month end)), count(*)
            from {self._in_care_12_months()} c group by 1""", False)

    def rhi_72h_percent(self, offered: bool = False):
        """MIS_RHI_72H (MIS_RHI_OFFERED_72H): missing (M) episodes ending in the period, under 18 at
        start and end, with the interview held (offered, or held) within 3 days of the return."""
        o = "least(rhi_offered_date::date, rhi_date::date)" if offered else "rhi_date::date"
        return self._pooled(f"""
            select m.la, 100 * count(*) filter (where {o} between end_date::date and end_date::date + 3), count(*)
            from missing_episodes m join kids k using (la, child_id)
            where missing_type = 'M' and {self.in_period('end_date')}
              and age(k.dob, start_date::date) < 18 and age(k.dob, end_date::date) < 18 group by 1""", False)

    def adoption_days(self, measure: str):
        """ADO_A10_DAYS, ADO_A20_DAYS or ADO_A2_DAYS (care.md C.5) over the adoptions in the period."""
        value = {"A10": "datediff('day', ps, mi)", "A20": "greatest(0, datediff('day', ps, po))",
                 "A2": "greatest(0, datediff('day', po, matched::date))"}[measure]
        cohort = {"A10": "mi is not null", "A20": "po is not null",
                  "A2": "po is not null and matched is not null and e0 is not null"}[measure]
        return self._pooled(f"""
            with p as {self.PERIODS},
            ado as (select la, child_id, period, ps, e adopted from p
                    where reason_episode_ceased in ('E11', 'E12') and {self.in_period('e')}),
            linked as (select a.*, x.placement_order_date::date po_row, x.matched_date matched,
                              x.adopted_by_foster_carer fc from ado a left join adoption x
                       on x.la = a.la and x.child_id = a.child_id and x.decision_date::date <= a.adopted
                       qualify row_number() over (partition by a.la, a.child_id, a.period
                                                  order by x.decision_date::date desc, x.adoption_id desc) = 1),
            e0 as (select la, child_id, period, min(s) e0, arg_min(placement_type, s) e0_type,
                          min(s) = any_value(ps) e0_first from p
                   where placement_type in ('A3', 'A4', 'A5', 'A6') group by all),
            po as (select la, child_id, period, min(s) po_ep from p where legal_status in ('E1', 'D1') group by all),
            x as (select l.*, e0.e0, e0.e0_type, e0.e0_first, coalesce(l.po_row, po.po_ep) po,
                         coalesce(l.fc = 'Y', l.fc is null and e0.e0_type in ('A3', 'A5'), false) is_fc
                  from linked l left join e0 using (la, child_id, period) left join po using (la, child_id, period)),
            m as (select x.*, case
                      when not is_fc then e0
                      when e0 is not null and e0_first then e0
                      when e0 is not null then (select max(p.s) from p where p.la = x.la and p.child_id = x.child_id
                                                and p.period = x.period and p.s < x.e0 and p.rne in ('S', 'P', 'T'))
                      else (select max(p.s) from p where p.la = x.la and p.child_id = x.child_id
                            and p.period = x.period and p.rne in ('S', 'P', 'T')) end mi from x)
            select la, sum({value}) filter (where {cohort}), count(*) filter (where {cohort}) from m group by 1""",
            False)

    def care_proceedings_weeks(self):
        """LEG_DURATION_WEEKS: proceedings concluded in the period, mean weeks from issue to final order."""
        return self._pooled(f"""select la, sum(datediff('day', issue_date::date, final_order_date::date)) / 7, count(*)
                                from legal_proceedings where {self.in_period('final_order_date')} group by 1""", False)
