"""Early help episodes: from the front door (contacts decided EARLY_HELP), step-downs from social
care (assessments ending EARLY_HELP, some CIN plans closing), and the many a school, health
visitor or the family start directly, about children social care may never see.

Each episode starts with its early help assessment; a plan is agreed mostly within 30 working
days (eh_plan_wd), and the episode closes after some months (IB: about 240 children per 10,000
open at a month end).
"""

from __future__ import annotations

import numpy as np

from .calendar import on_or_after_workday, workdays_after
from .context import Simulation, concat
from .draws import (LONG_AGO, NEVER, age_years, ages_from_weights, categorical, days, dob_from_age, lognormal_int,
                    uniform_between)

P_FRONT_DOOR_TAKEN_UP = 0.75     # of contacts decided EARLY_HELP
P_ASSESSMENT_STEP_DOWN = 0.85    # of assessments ending EARLY_HELP
P_CIN_STEP_DOWN = 0.15           # of CIN plans closing before 17
DIRECT_STARTS_PER_10K = 235      # a year: started by partners, families and others
DIRECT_SOURCES = {"PARTNER": 78, "FAMILY": 16, "OTHER": 6}
P_SOURCE_NOT_RECORDED = 0.03
ASSESSMENT_MEDIAN_WD, PLAN_MEDIAN_WD, WD_SIGMA = 14, 17, 0.55
P_NOT_ASSESSED, P_NO_PLAN = 0.04, 0.07
EPISODE_MEDIAN_DAYS, EPISODE_SIGMA = 170, 0.6
AGE_WEIGHTS = [6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 3, 2]


def episodes(sim: Simulation, since: np.datetime64) -> dict[str, np.ndarray]:
    """Episodes (child, start_date, assessment_completed_date, plan_start_date, end_date, source;
    dates NEVER if not yet) begun by the extract date and not closed before `since`."""
    rng, kids = sim.practice_rng, sim.children
    contacts = concat(sim.rows["contacts"])
    c = (contacts["outcome"] == "EARLY_HELP") & (rng.random(len(contacts["outcome"])) < P_FRONT_DOOR_TAKEN_UP)
    decided = contacts["decision_datetime"][c].astype("datetime64[D]")
    front = (contacts["child"][c], workdays_after(decided, rng.integers(0, 11, int(c.sum()))))

    a = concat(sim.rows["assessments"])
    s = (a["outcome"] == "EARLY_HELP") & (rng.random(len(a["outcome"])) < P_ASSESSMENT_STEP_DOWN)
    cin = concat(sim.cin)
    young = age_years(kids.dob[cin["child"]], cin["end"]) < 17
    p = young & (cin["end"] < NEVER) & (rng.random(len(cin["end"])) < P_CIN_STEP_DOWN)
    step_child = np.concatenate([a["child"][s], cin["child"][p]])
    step_from = np.concatenate([a["authorisation_date"][s], cin["end"][p]])
    step = (step_child, workdays_after(step_from, rng.integers(0, 11, len(step_child))))

    n = rng.poisson(DIRECT_STARTS_PER_10K * sim.per_year * ((sim.extract - sim.start).astype(np.int64) + 1) / 365.25)
    start = on_or_after_workday(uniform_between(rng, np.full(n, sim.start), np.full(n, sim.extract + 1)))
    direct = (kids.add(rng, dob_from_age(start, ages_from_weights(rng, n, AGE_WEIGHTS)), busy_until=LONG_AGO), start)

    child = np.concatenate([front[0], step[0], direct[0]])
    start = np.concatenate([front[1], step[1], direct[1]])
    source = np.concatenate([np.full(len(front[0]), "FRONT_DOOR"), np.full(len(step[0]), "STEP_DOWN"),
                             categorical(rng, n, DIRECT_SOURCES)]).astype(object)
    k = len(child)
    source[rng.random(k) < P_SOURCE_NOT_RECORDED] = None
    assessed = np.where(rng.random(k) < P_NOT_ASSESSED, NEVER,
                        workdays_after(start, lognormal_int(rng, ASSESSMENT_MEDIAN_WD, WD_SIGMA, k)))
    plan = np.where(rng.random(k) < P_NO_PLAN, NEVER,
                    np.maximum(workdays_after(start, lognormal_int(rng, PLAN_MEDIAN_WD, WD_SIGMA, k)),
                               np.minimum(assessed, NEVER)))
    end = start + days(lognormal_int(rng, EPISODE_MEDIAN_DAYS, EPISODE_SIGMA, k, minimum=20))
    assessed = np.where(assessed < end, assessed, NEVER)      # closed before the step: never taken
    plan = np.where(plan < end, plan, NEVER)
    keep = (start <= sim.extract) & (end >= since)
    rows = {"child": child, "start_date": start, "assessment_completed_date": assessed, "plan_start_date": plan,
            "end_date": end, "source": source}
    order = np.lexsort((start[keep], child[keep]))
    return {c_: v[keep][order] for c_, v in rows.items()}

