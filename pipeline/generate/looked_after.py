"""Children looked after: periods of care drawn as whole timelines, then cut into SSDA903 episodes.

A period follows a legal path (voluntary s20, care order, police protection first, adoption,
remand, UASC), has its own placement moves, and ends with an E-code (or at the 18th birthday).
Episodes are the pieces between consecutive changes: RNE S at the start, P for a placement move,
L for a legal status change, T for both; each within-period episode ends X1 on the day the next
starts. Care leavers are the young people whose period ended at 18. An adoption goes through a placement
order (legal status E1, made at the final hearing with the care order) and a placement for adoption
(A3 with the child's foster carer, else A4) before the adoption order (E11/E12). Short-break
agreements (short_breaks.py) are periods too, with a path of their own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import profiles as base
from .calendar import on_or_before_workday
from .context import Simulation, concat
from .draws import (NEVER, age_years, ages_from_weights, birthday, categorical, categorical_by_group,
                    days, dob_from_age, map_codes, uniform_between)

PATHS = ["adoption", "care_order", "police", "voluntary", "remand"]
# rows: age at entry <1, 1-4, 5-9, 10-15, 16-17
PATH_BY_AGE = np.array([
    [0.35, 0.50, 0.03, 0.12, 0.00],
    [0.15, 0.55, 0.07, 0.23, 0.00],
    [0.00, 0.58, 0.10, 0.32, 0.00],
    [0.00, 0.45, 0.10, 0.40, 0.05],
    [0.00, 0.15, 0.05, 0.70, 0.10],
])
# England entries by age: <1 19%, 1-4 13%, 5-9 17%, 10-15 37%, 16+ 14%
ENTRY_AGE_WEIGHTS = [19] + [13 / 4] * 4 + [17 / 5] * 5 + [37 / 6] * 6 + [7, 7]
P_UASC = 0.4          # of children aged 14+ starting to be looked after
PLACEMENT_MOVES_SHAPE = 0.4
CARE_LEAVER_AGES = (17, 25)   # LAs support care leavers to 25; the indicators' cohort is 19-21
NOT_LEAVING_CARE = ["E11", "E12", "E13", "E4A", "E4B", "E41", "E45", "E46", "E47", "E48", "E2", "E3"]

END_AT_18 = {"E17": 22, "E5": 45, "E6": 8, "E8": 25}
END_BY_PATH = {
    "voluntary": {"E4A": 45, "E4B": 5, "E13": 15, "E41": 5, "E45": 4, "E47": 6, "E8": 12, "E3": 3, "E16": 2, "E7": 1},
    "care_order": {"E4A": 25, "E41": 10, "E45": 10, "E46": 3, "E47": 17, "E48": 2, "E13": 10, "E8": 10, "E3": 3,
                   "E11": 5, "E12": 3},
    "adoption": {"E11": 80, "E12": 20},
    "remand": {"E14": 90, "E4A": 10},
    "uasc": {"E15": 15, "E16": 15, "E8": 40, "E5": 30},
}
END_BY_PATH["police"] = END_BY_PATH["care_order"]
NOT_ADOPTED = {k: v for k, v in END_BY_PATH["care_order"].items() if k not in ("E11", "E12")}
P_FOSTER_CARER_ADOPTION = 0.1   # placed for adoption with their current foster carer (A3)

NEED = {"N1": 65, "N2": 3, "N3": 3, "N4": 8, "N5": 14, "N6": 2, "N7": 0.3, "N8": 4.7}

PLACEMENTS = ["U1", "U2", "U3", "U4", "U5", "U6", "K2", "R1", "P1", "H5", "S1", "Z1", "K1", "R5", "P2"]
# rows: age <5, 5-9, 10-15, 16-17, remand, uasc, short breaks; tuned so the looked-after mix is SSC's
# ("General foster care: 30% / Placed with parents or family/friends: 24% / IFA: 23% / Residential: 13%
# / Adoption related: 2% / Others 8%")
PLACEMENT_BY_GROUP = np.array([
    [.07, .07, .11, .36, .16, .14, .00, .00, .07, .00, .00, .01, .00, .00, .00],
    [.07, .07, .10, .34, .16, .13, .04, .01, .06, .00, .00, .01, .00, .00, .00],
    [.06, .04, .07, .27, .12, .10, .20, .02, .05, .00, .03, .02, .01, .00, .01],
    [.03, .03, .04, .14, .08, .07, .16, .02, .03, .30, .02, .03, .00, .00, .05],
    [.00, .00, .00, .25, .05, .00, .20, .00, .00, .00, .00, .00, .20, .30, .00],
    [.00, .00, .00, .25, .05, .05, .20, .00, .00, .40, .00, .05, .00, .00, .00],
    [.00, .00, .00, .35, .10, .05, .45, .00, .00, .00, .00, .05, .00, .00, .00],
])
PROVIDERS = ["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"]
PROVIDER_BY_PLACEMENT = {
    "U1": [0, 1, 0, 0, 0, 0], "U2": [0, 1, 0, 0, 0, 0], "U3": [0, 1, 0, 0, 0, 0],
    "U4": [0, .57, 0, 0, .38, .05], "U5": [0, .57, 0, 0, .38, .05], "U6": [0, .57, 0, 0, .38, .05],
    "K2": [0, .2, 0, 0, .75, .05], "R1": [0, 0, 0, .5, .5, 0], "P1": [1, 0, 0, 0, 0, 0],
    "H5": [0, .3, 0, 0, .7, 0], "S1": [0, 0, 0, 0, .6, .4], "Z1": [0, .5, 0, 0, .5, 0],
    "K1": [0, .5, .5, 0, 0, 0], "R5": [0, 0, 0, 1, 0, 0], "P2": [0, .5, 0, 0, .5, 0],
    "A3": [0, .7, 0, 0, 0, .3], "A4": [0, .7, 0, 0, 0, .3],
}
PLACE_CHANGE = {"CARPL": 20, "CHILD": 10, "LAREQ": 20, "PLACE": 25, "CLOSE": 5, "ALLEG": 3, "STAND": 5,
                "APPRR": 4, "CREQB": 2, "CREQO": 2, "CUSTOD": 1, "OTHER": 3}
CLOSURE_BY_END = {"E11": "RC1", "E12": "RC1", "E41": "RC3", "E45": "RC4", "E46": "RC4", "E47": "RC4",
                  "E48": "RC4", "E3": "RC5"}

SUITABLE = {"U1": 30, "R1": 12, "D1": 15, "E1": 8, "B1": 15, "K1": 5, "Z1": 5, "C1": 3, "T1": 3, "Y1": 4}
UNSUITABLE = {"S2": 15, "V2": 15, "W2": 10, "X2": 20, "B2": 15, "U2": 10, "Y2": 15}
EET = {"F1": 8, "P1": 1, "F2": 25, "P2": 5, "F4": 35, "P4": 15, "F5": 7, "P5": 4}
NEET = {"G4": 25, "G5": 55, "G6": 20}


def _age_group(age: np.ndarray) -> np.ndarray:
    return np.digitize(age, [1, 5, 10, 16])


def closure_reason_for(end_reason: np.ndarray) -> np.ndarray:
    """The CIN closure reason a referral gets when the child's period of care ends this way."""
    return map_codes(end_reason, CLOSURE_BY_END, "RC7")


def draw_periods(sim: Simulation, dob: np.ndarray, start: np.ndarray, uasc: np.ndarray) -> dict[str, np.ndarray]:
    """Whole timelines of periods of care starting on `start` for children born on `dob`."""
    rng, n = sim.rng, len(start)
    age = age_years(dob, start)
    path = categorical_by_group(rng, _age_group(age), PATHS, PATH_BY_AGE)
    path[uasc] = "uasc"

    ls0 = np.full(n, "C1", dtype=object)
    t1, t2, placed = (np.full(n, NEVER) for _ in range(3))
    ls1 = np.full(n, None, dtype=object)
    ls2 = np.full(n, None, dtype=object)
    length = np.zeros(n, np.int64)
    # issue (about when the interim care order starts) -> final order: 17-52 weeks, averaging about 34
    # (the calibration range for LEG_DURATION_WEEKS is 24-40 weeks)
    proceedings = rng.integers(120, 361, n)
    # placement order -> placed with the adopters (A10, A2 calibration: England's ~7 months to a match)
    adoption_wait = np.clip(rng.lognormal(np.log(225), 0.45, n), 30, 600).astype(np.int64)
    order_after_placed = rng.integers(120, 401, n)   # adoptive placement -> adoption order

    m = path == "voluntary"
    short = rng.random(n) < np.where(age >= 16, 0.3, 0.55)     # homeless 16-17s mostly stay to 18
    length[m] = np.where(short, rng.lognormal(np.log(45), 1.0, n), rng.lognormal(np.log(700), 0.8, n))[m]
    ls0[m] = "V2"
    to_court = m & (rng.random(n) < 0.15)
    t1[to_court] = start[to_court] + days(rng.integers(30, 301, n)[to_court])
    ls1[to_court] = "C1"
    t2[to_court] = t1[to_court] + days(proceedings[to_court])
    ls2[to_court] = "C2"

    m = (path == "care_order") | (path == "police")
    # young children more often go home or to kinship carers within a few years; older ones stay
    length[m] = rng.lognormal(np.log(np.where(age < 5, 650, 1900)), 1.0, n)[m]
    c = path == "care_order"
    t1[c] = start[c] + days(proceedings[c])
    ls1[c] = "C2"
    p = path == "police"
    ls0[p] = np.where(rng.random(n) < 0.6, "L1", "L2")[p]
    t1[p] = start[p] + days(rng.integers(1, 9, n)[p])
    ls1[p] = "C1"
    t2[p] = t1[p] + days(proceedings[p])
    ls2[p] = "C2"

    m = path == "adoption"      # the final hearing makes the care and placement orders; placed; adopted
    t1[m] = start[m] + days(proceedings[m])
    ls1[m] = "E1"
    placed[m] = t1[m] + days(adoption_wait[m])
    length[m] = ((placed - start).astype(np.int64) + order_after_placed)[m]

    m = path == "remand"
    ls0[m] = "J2"
    length[m] = rng.integers(7, 121, n)[m]

    m = path == "uasc"
    ls0[m] = "V2"
    length[m] = rng.lognormal(np.log(2500), 0.5, n)[m]

    end = start + days(np.maximum(length, 1))
    eighteen = birthday(dob, 18)
    aged_out = end >= eighteen
    end = np.maximum(np.where(aged_out, eighteen, end), start + 1)

    end_reason = np.full(n, None, dtype=object)
    for name, weights in END_BY_PATH.items():
        m = path == name
        end_reason[m] = categorical(rng, int(m.sum()), weights)
    end_reason[aged_out] = categorical(rng, int(aged_out.sum()), END_AT_18)

    # adopted after care proceedings: the final hearing made a placement order beside the care order
    # (E1 from then), then the adoptive placement and the adoption order, as on the adoption path;
    # adoptions of children who entered care aged 5 or more are rare, so theirs end otherwise
    court = np.isin(path, ["care_order", "police"]) & np.isin(end_reason, ["E11", "E12"])
    older = court & (age >= 5)
    end_reason[older] = categorical(rng, int(older.sum()), NOT_ADOPTED)
    court &= ~older
    final = np.where(path == "police", t2, t1)
    ls1[court & (path == "care_order")] = "E1"
    ls2[court & (path == "police")] = "E1"
    placed[court] = final[court] + days(adoption_wait[court])
    end[court] = np.minimum(placed[court] + days(order_after_placed[court]), eighteen[court] - 1)
    aged_out[court] = False

    need = categorical(rng, n, NEED)
    need[path == "uasc"] = "N8"
    return {"dob": dob, "start": start, "end": end, "path": path, "ls0": ls0, "t1": t1, "ls1": ls1,
            "t2": t2, "ls2": ls2, "placed": placed, "end_reason": end_reason, "aged_out": aged_out,
            "need": need, "uasc": uasc, "foster_carer": rng.random(n) < P_FOSTER_CARER_ADOPTION}


def start_periods(sim: Simulation, child: np.ndarray, start: np.ndarray,
                  uasc: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Known children start to be looked after; returns each period's end date and end reason."""
    uasc = np.zeros(len(child), bool) if uasc is None else uasc
    spec = draw_periods(sim, sim.children.dob[child], start, uasc)
    spec["child"] = child
    sim.cla.append(spec)
    if uasc.any():
        sim.children.mark_uasc(sim.rng, child[uasc])
    return spec["end"], spec["end_reason"]


def seed_stock(sim: Simulation, years: int = 18) -> None:
    """Periods that began before the simulation: the children looked after when it starts, and
    the care leavers who left before it. Drawn by running the same entry process over `years`."""
    rng = sim.rng
    n = rng.poisson(base.CLA_ENTRIES_PER_10K * sim.profile.cla_entries * sim.per_year * years)
    first = sim.start - days(round(years * 365.25))
    start = uniform_between(rng, np.full(n, first), np.full(n, sim.start))
    age = ages_from_weights(rng, n, ENTRY_AGE_WEIGHTS)
    dob = dob_from_age(start, age)
    uasc = (age >= 14) & (rng.random(n) < P_UASC)
    spec = draw_periods(sim, dob, start, uasc)

    keep = (spec["end"] > sim.start) | _care_leaver(spec, sim.extract)
    spec = {k: v[keep] for k, v in spec.items()}
    spec["child"] = sim.children.add(rng, spec["dob"])
    sim.children.mark_uasc(rng, spec["child"][spec["uasc"]])
    sim.cla.append(spec)


def _placement_group(age: np.ndarray, path: np.ndarray) -> np.ndarray:
    group = np.digitize(age, [5, 10, 16])
    group[path == "remand"] = 4
    group[path == "uasc"] = 5
    group[path == "short_breaks"] = 6
    return group


def periods_in_extract(sim: Simulation, short_breaks: bool = True) -> dict[str, np.ndarray]:
    """Whole periods of care that reach into the window and began by the extract date (without the
    short-break agreements if not `short_breaks`: reviews, visits and health follow other rules there)."""
    spec = concat(sim.cla)
    keep = (spec["end"] >= sim.window_start) & (spec["start"] <= sim.extract)
    if not short_breaks:
        keep &= spec["path"] != "short_breaks"
    return {k: v[keep] for k, v in spec.items()}


def episodes(sim: Simulation) -> dict[str, np.ndarray]:
    """Cut every period in the extract into episodes, censored at the extract date."""
    rng, extract = sim.rng, sim.extract
    spec = periods_in_extract(sim)
    n = len(spec["start"])
    pid = np.arange(n)
    start, end, path, dob = spec["start"], spec["end"], spec["path"], spec["dob"]

    def rows(pids, t, legal, place, kind, adoption=False):
        k = len(pids)
        return pd.DataFrame({
            "pid": pids, "t": t, "legal": legal, "place": place,
            "is_start": kind == "S", "legal_change": kind in ("L", "T"), "place_change": kind in ("P", "T"),
            "adoption": np.full(k, adoption),
        })

    parts = [rows(pid, start, spec["ls0"],
                  categorical_by_group(rng, _placement_group(age_years(dob, start), path), PLACEMENTS,
                                       PLACEMENT_BY_GROUP), "S")]
    for t, ls in (("t1", "ls1"), ("t2", "ls2")):
        ok = (spec[t] > start) & (spec[t] < end) & (spec[t] <= extract)
        parts.append(rows(pid[ok], spec[t][ok], spec[ls][ok], None, "L"))

    # placement moves: frequent in the first year of care, rare once settled
    horizon = np.minimum(end, extract + 1)
    move_until = np.minimum(spec["placed"], horizon)     # no move once placed for adoption
    settled = start + 365
    # moves cluster: most children settle, a few move again and again (gamma, mean 1)
    unsettled = (np.select([path == "remand", path == "short_breaks"], [0.3, 0.0], 1.0)     # short breaks: one carer
                 * rng.gamma(PLACEMENT_MOVES_SHAPE, 1 / PLACEMENT_MOVES_SHAPE, n))
    for seg_start, seg_end, rate in ((start, np.minimum(settled, move_until), base.PLACEMENT_MOVES_FIRST_YEAR),
                                     (settled, move_until, base.PLACEMENT_MOVES_LATER)):
        span = np.maximum((seg_end - seg_start).astype(np.int64), 0)
        k = rng.poisson(rate * sim.profile.placement_moves * unsettled * span / 365.25)
        rep = np.repeat(pid, k)
        t = seg_start[rep] + days(np.floor(rng.random(len(rep)) * span[rep]))
        ok = (t > start[rep]) & (t < move_until[rep])
        rep, t = rep[ok], t[ok]
        parts.append(rows(rep, t, None, categorical_by_group(
            rng, _placement_group(age_years(dob[rep], t), path[rep]), PLACEMENTS, PLACEMENT_BY_GROUP), "P"))

    # placed for adoption under the placement order: A3 with the current foster carer, else A4
    ok = (spec["placed"] < end) & (spec["placed"] <= extract)
    parts.append(rows(pid[ok], spec["placed"][ok], None,
                      np.where(spec["foster_carer"][ok], "A3", "A4"), "P", adoption=True))

    # one episode per distinct change date; a legal and a placement change on one day is one episode
    df = (pd.concat(parts, ignore_index=True)
          .groupby(["pid", "t"], sort=True)
          .agg(legal=("legal", "first"), place=("place", "first"), is_start=("is_start", "max"),
               legal_change=("legal_change", "max"), place_change=("place_change", "max"),
               adoption=("adoption", "max"))
          .reset_index())
    df[["legal", "place"]] = df.groupby("pid")[["legal", "place"]].ffill()

    p = df["pid"].to_numpy()
    ep_start = df["t"].to_numpy().astype("datetime64[D]")
    last = np.r_[p[1:] != p[:-1], True]
    ep_end = np.where(last, end[p], np.r_[ep_start[1:], ep_start[:1]])
    reason = np.where(last, spec["end_reason"][p], "X1").astype(object)

    legal_change = df["legal_change"].to_numpy()
    place_change = df["place_change"].to_numpy()
    adoption = df["adoption"].to_numpy()
    place = df["place"].to_numpy().astype(object)
    same_carer = adoption & (place == "A3")            # adopted by the foster carer: placement, same carer
    both = legal_change & place_change
    rne = np.select(
        [df["is_start"].to_numpy(), both & (rng.random(len(df)) < 0.15), both, legal_change, same_carer],
        ["S", "U", "T", "L", "B"], "P").astype(object)

    moved = np.isin(rne, ["P", "T", "U", "B"])
    place_reason = np.where(moved, categorical(rng, len(df), PLACE_CHANGE), None).astype(object)
    place_reason[adoption] = "PLACE"

    placement_codes = np.array(sorted(PROVIDER_BY_PLACEMENT))
    provider = categorical_by_group(rng, np.searchsorted(placement_codes, place.astype(str)), PROVIDERS,
                                    np.array([PROVIDER_BY_PLACEMENT[c] for c in placement_codes]))
    postcode = _postcodes(rng, len(df))
    # a legal-status-only change keeps the child where they are: same provider and postcode
    where = pd.DataFrame({"pid": p, "provider": provider, "postcode": postcode})
    where.loc[rne == "L", ["provider", "postcode"]] = None
    where = where.groupby("pid")[["provider", "postcode"]].ffill()
    provider = where["provider"].to_numpy().astype(object)
    postcode = where["postcode"].to_numpy().astype(object)

    ceased = ep_end > extract
    ep_end = ep_end.astype("datetime64[D]")
    ep_end[ceased] = np.datetime64("NaT")
    reason[ceased] = None
    table = {
        "child": spec["child"][p], "start_date": ep_start, "reason_new_episode": rne,
        "legal_status": df["legal"].to_numpy().astype(object), "category_of_need": spec["need"][p],
        "placement_type": place, "placement_provider": provider, "placement_postcode": postcode,
        "end_date": ep_end, "reason_episode_ceased": reason, "reason_place_change": place_reason,
    }
    started = ep_start <= extract                      # periods the front door starts after the extract
    table = {k: v[started] for k, v in table.items()}
    return {"key": sim.new_keys("episode", int(started.sum())), **table}


def _postcodes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Postcodes in the fictional QQ area (no real UK postcode starts with Q)."""
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    district = rng.integers(1, 41, n).astype(str)
    sector = rng.integers(0, 10, n).astype(str)
    unit = np.char.add(letters[rng.integers(0, 20, n)], letters[rng.integers(0, 20, n)])
    return np.char.add(np.char.add(np.char.add("QQ", district), np.char.add(" ", sector)), unit).astype(object)


def _care_leaver(spec: dict[str, np.ndarray], extract: np.datetime64) -> np.ndarray:
    """Periods after which the young person is a care leaver the LA still supports at the extract:
    left care aged 16 or over, after 13 weeks or more, other than by going home, adoption or an
    order; aged CARE_LEAVER_AGES now."""
    dob, end = spec["dob"], spec["end"]
    age_now = age_years(dob, np.full(len(dob), extract))
    return ((end <= extract) & (age_years(dob, end) >= 16) & (end - spec["start"] >= np.timedelta64(91, "D"))
            & ~np.isin(spec["end_reason"], NOT_LEAVING_CARE) & (spec["path"] != "short_breaks")
            & (age_now >= CARE_LEAVER_AGES[0])
            & (age_now <= CARE_LEAVER_AGES[1]))


def care_leavers(sim: Simulation) -> dict[str, np.ndarray]:
    """Latest status of each care leaver, contacted around their last birthday (after leaving care)."""
    rng, extract, prof = sim.rng, sim.extract, sim.profile
    spec = concat(sim.cla)
    chosen = np.flatnonzero(_care_leaver(spec, extract))
    order = chosen[np.lexsort((-spec["end"][chosen].astype(np.int64), spec["child"][chosen]))]
    child, first = np.unique(spec["child"][order], return_index=True)     # the latest period per child
    dob, left = spec["dob"][order][first], spec["end"][order][first]
    n = len(child)

    contact = birthday(dob, age_years(dob, np.full(n, extract))) + days(rng.integers(-30, 46, n))
    contact = np.minimum(np.maximum(contact, left), extract)
    contact = np.maximum(on_or_before_workday(contact), left)     # a working day, never before leaving care

    p_out = min(0.9, 0.10 * prof.care_leaver_contact)
    in_touch = np.where(rng.random(n) < p_out,
                        categorical(rng, n, {"NO": 50, "REFU": 15, "NREQ": 20, "RHOM": 10, "DIED": 5}),
                        "YES").astype(object)
    touching = in_touch == "YES"
    activity = np.where(rng.random(n) < 0.57, categorical(rng, n, EET),
                        np.where(rng.random(n) < 0.92, categorical(rng, n, NEET), "0")).astype(object)
    accommodation = np.where(rng.random(n) < 0.94, categorical(rng, n, SUITABLE),
                             categorical(rng, n, UNSUITABLE)).astype(object)
    activity[~touching] = "0"
    accommodation[~touching] = "0"
    activity[in_touch == "DIED"] = None
    accommodation[in_touch == "DIED"] = None
    return {"child": child, "contact_date": contact, "in_touch": in_touch, "activity": activity,
            "accommodation": accommodation}
