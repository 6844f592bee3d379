"""The LA's social work workforce: teams of posts, who fills each post when, and the HR snapshots
(workforce_posts) taken at each month end.

A post is a stable slot in a team, filled in spells by a permanent worker, an agency locum or
nobody (vacant); the spells follow a semi-Markov chain whose shares settle near England's (SSC:
permanent 73%, agency 12%, unfilled 15%). A permanent worker may be away for months (parental
leave, long sickness) with a locum covering: the snapshot then has two rows, the holder's
(established) and the locum's (over establishment). Cases are allocated to posts (casework.py) and
held by whoever is in the post on the day, so every allocated worker is in the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .context import Simulation
from .draws import LONG_AGO, add_months, choose_rows, days

PERMANENT, AGENCY, VACANT = 0, 1, 2
STATUS = np.array(["PERMANENT", "AGENCY", "VACANT"], dtype=object)
# the state after a spell ends (rows: from PERMANENT, AGENCY, VACANT); a locum may follow a locum
NEXT_STATE = np.array([[0.0, 0.25, 0.75], [0.5, 0.2, 0.3], [0.6, 0.4, 0.0]])
SPELL_MEDIAN_DAYS = np.array([900, 210, 170])
SPELL_SIGMA = 0.6
P_ABSENCE = 0.15                 # permanent spells with a long absence covered by a locum
ABSENCE_DAYS = (60, 300)
P_NEWLY_QUALIFIED = 0.2          # permanent social workers starting in their ASYE year
P_PART_TIME = 0.12
PART_TIME_FTE = [0.5, 0.6, 0.8, 0.9]
TEAM_SIZE = (4, 9)               # social worker posts per team, uniform
TEAM_KINDS = ["Assessment", "Safeguarding", "Child Protection", "Children in Care", "Family Support",
              "Children with Disabilities", "Court and Proceedings", "Adolescent Support"]
SMALL_TEAM = "Private Fostering"  # one specialist team of 1-2 workers: the fewer-than-3 rule applies
CAPACITY_SIGMA = 0.25            # how much workers' caseloads differ beyond chance
STAFF_ID_BASE = 100_000          # staff IDs W100001...: never the shape of a child ID (7 digits)


@dataclass
class Workforce:
    team_names: np.ndarray       # per team
    post_team: np.ndarray        # per post: team index, role, FTE, share of the team's cases
    post_role: np.ndarray
    post_fte: np.ndarray
    post_weight: np.ndarray      # 0 for posts that hold no cases
    # filled spells (vacant ones have worker -1), sorted by post then start, covering every day
    spell_post: np.ndarray
    spell_start: np.ndarray
    spell_end: np.ndarray
    spell_state: np.ndarray
    spell_worker: np.ndarray
    spell_nq_until: np.ndarray   # end of the worker's ASYE year (LONG_AGO if not newly qualified)
    # locum cover while a permanent holder is away: within one permanent spell each
    cover_post: np.ndarray
    cover_start: np.ndarray
    cover_end: np.ndarray
    cover_worker: np.ndarray

    def occupancy(self) -> dict[str, np.ndarray]:
        """Who holds the post's cases day by day: the spells with each cover cut out and given to the
        locum; sorted by post and start, contiguous per post."""
        has = np.full(len(self.spell_post), -1)
        cover_of = np.searchsorted(_key(self.spell_post, self.spell_start), _key(self.cover_post, self.cover_start),
                                   "right") - 1
        has[cover_of] = np.arange(len(cover_of))
        s = np.flatnonzero(has >= 0)
        c = has[s]
        post = np.concatenate([self.spell_post, self.cover_post, self.spell_post[s]])
        start = np.concatenate([self.spell_start, self.cover_start, self.cover_end[c]])
        end = np.concatenate([np.where(has >= 0, self.cover_start[np.maximum(has, 0)], self.spell_end),
                              self.cover_end, self.spell_end[s]])
        worker = np.concatenate([self.spell_worker, self.cover_worker, self.spell_worker[s]])
        nq = np.concatenate([self.spell_nq_until, np.full(len(c), LONG_AGO), self.spell_nq_until[s]])
        order = np.lexsort((start, post))
        return {"post": post[order], "start": start[order], "end": end[order], "worker": worker[order],
                "nq_until": nq[order]}


def _key(post: np.ndarray, day: np.ndarray) -> np.ndarray:
    """One sortable integer per (post, day)."""
    return post.astype(np.int64) * 1_000_000 + day.astype("datetime64[D]").astype(np.int64)


def find_spells(post: np.ndarray, start: np.ndarray, at_post: np.ndarray, at_day: np.ndarray) -> np.ndarray:
    """Index of the row (of a table sorted by post, start; contiguous per post) covering each (post, day)."""
    return np.searchsorted(_key(post, start), _key(at_post, at_day), "right") - 1


def build(sim: Simulation, first: np.datetime64, caseholders: int) -> Workforce:
    """Teams holding about `caseholders` social worker posts, staffed from `first` past the extract."""
    rng = sim.practice_rng
    sizes = [int(rng.integers(*TEAM_SIZE))]
    while sum(sizes) < caseholders:
        sizes.append(int(rng.integers(*TEAM_SIZE)))
    names = [f"{TEAM_KINDS[i % len(TEAM_KINDS)]} Team {i // len(TEAM_KINDS) + 1}" for i in range(len(sizes))]
    if len(sizes) >= 3:
        sizes.append(int(rng.integers(1, 3)))
        names.append(f"{SMALL_TEAM} Team")
    small = np.array([n.startswith(SMALL_TEAM) for n in names])
    # per team: its social workers, a manager and (half the teams) a family support worker
    others = (rng.random(len(sizes)) < 0.5) & ~small
    team = np.concatenate([np.repeat(np.arange(len(sizes)), sizes), np.flatnonzero(~small), np.flatnonzero(others)])
    role = np.concatenate([np.full(sum(sizes), "SW"), np.full(int((~small).sum()), "MANAGER"),
                           np.full(int(others.sum()), "OTHER")]).astype(object)
    order = np.argsort(team, kind="stable")
    team, role = team[order], role[order]
    n = len(team)
    fte = np.where(rng.random(n) < P_PART_TIME, rng.choice(PART_TIME_FTE, n), 1.0)
    weight = np.where(role == "MANAGER", 0.0, fte * rng.lognormal(-CAPACITY_SIGMA ** 2 / 2, CAPACITY_SIGMA, n))

    spells = _spells(sim, first, role)
    covers = _covers(sim, spells)
    return Workforce(np.array(names, dtype=object), team, role, fte, weight, *spells, *covers)


def _spells(sim: Simulation, first: np.datetime64, role: np.ndarray) -> tuple[np.ndarray, ...]:
    """Spells per post from before `first` to past the extract, one round of draws per spell."""
    rng, n = sim.practice_rng, len(role)
    shares = _stationary_shares()
    state = rng.choice(3, size=n, p=shares)
    length = _lengths(rng, state)
    begin = first - days(np.floor(rng.random(n) * length))      # a spell part-way through at `first`
    horizon = sim.extract + 1
    workers = 0
    parts = []
    post = np.arange(n)
    while len(post):
        k = len(post)
        filled = state != VACANT
        worker = np.full(k, -1)
        worker[filled] = workers + np.arange(int(filled.sum()))
        workers += int(filled.sum())
        end = begin + days(length)
        newly = (state == PERMANENT) & (role[post] == "SW") & (rng.random(k) < P_NEWLY_QUALIFIED)
        nq = np.where(newly, add_months(begin, 12), LONG_AGO)
        parts.append((post, begin, end, state, worker, nq))
        going = end < horizon
        post, begin, state = post[going], end[going], choose_rows(rng, NEXT_STATE[state[going]])
        length = _lengths(rng, state)
    cols = [np.concatenate([p[i] for p in parts]) for i in range(6)]
    order = np.lexsort((cols[1], cols[0]))
    post, start, end, state, worker, nq = (c[order] for c in cols)
    worker = np.where(worker >= 0, worker + STAFF_ID_BASE + 1, -1)
    return post, start, end, state, worker, nq


def _lengths(rng: np.random.Generator, state: np.ndarray) -> np.ndarray:
    return np.maximum(np.ceil(rng.lognormal(np.log(SPELL_MEDIAN_DAYS[state]), SPELL_SIGMA)), 14).astype(np.int64)


def vacant_share() -> float:
    return float(_stationary_shares()[VACANT])


def _stationary_shares() -> np.ndarray:
    """Share of time in each state in the long run: the embedded chain's stationary distribution
    weighted by the mean spell lengths."""
    values, vectors = np.linalg.eig(NEXT_STATE.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    time = pi / pi.sum() * SPELL_MEDIAN_DAYS * np.exp(SPELL_SIGMA ** 2 / 2)
    return time / time.sum()


def _covers(sim: Simulation, spells: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """A locum covering a long absence inside some permanent spells (new worker IDs after the spells')."""
    rng = sim.practice_rng
    post, start, end, state, worker, _ = spells
    span = (end - start).astype(np.int64)
    absence = rng.integers(*ABSENCE_DAYS, len(post))
    away = (state == PERMANENT) & (rng.random(len(post)) < P_ABSENCE) & (span > absence + 60)
    i = np.flatnonzero(away)
    begin = start[i] + days(30 + np.floor(rng.random(len(i)) * (span[i] - absence[i] - 30)))
    first_id = int(worker.max(initial=STAFF_ID_BASE)) + 1
    return post[i], begin, begin + days(absence[i]), first_id + np.arange(len(i))


def staff_ids(worker: np.ndarray) -> np.ndarray:
    """Worker numbers -> case-system staff IDs such as W100123; -1 -> None."""
    worker = np.asarray(worker)
    text = pc.binary_join_element_wise("W", pa.array(worker, pa.int64()).cast(pa.string()), "")
    return pc.if_else(pa.array(worker < 0), pa.scalar(None, pa.string()), text).to_numpy(zero_copy_only=False)


def snapshots(sim: Simulation, wf: Workforce) -> dict[str, np.ndarray]:
    """workforce_posts: every post at each month end from the window to the extract date, plus a
    row for each locum covering an absent holder."""
    month_ends = sim.month_ends
    n_posts = len(wf.post_team)
    at = np.repeat(month_ends, n_posts)
    post = np.tile(np.arange(n_posts), len(month_ends))
    s = find_spells(wf.spell_post, wf.spell_start, post, at)
    state, worker, nq = wf.spell_state[s], wf.spell_worker[s], wf.spell_nq_until[s]

    k, locum = np.empty(0, np.int64), np.empty(0, np.int64)
    if len(wf.cover_post):
        c = find_spells(wf.cover_post, wf.cover_start, post, at)
        i = np.maximum(c, 0)
        k = np.flatnonzero((c >= 0) & (wf.cover_post[i] == post) & (wf.cover_end[i] > at))
        locum = wf.cover_worker[c[k]]
    post_ids = np.char.add("P", np.char.zfill(np.arange(1, n_posts + 1).astype(str), 5)).astype(object)

    role = wf.post_role[post]
    rows = {
        "as_at_date": np.concatenate([at, at[k]]),
        "post_id": np.concatenate([post_ids[post], np.char.add(post_ids[post[k]].astype(str), "-C").astype(object)]),
        "team": np.concatenate([wf.team_names[wf.post_team[post]], wf.team_names[wf.post_team[post[k]]]]),
        "role": np.concatenate([role, role[k]]),
        "fte": np.concatenate([wf.post_fte[post], wf.post_fte[post[k]]]),
        "established": np.concatenate([np.full(len(post), "Y"), np.full(len(k), "N")]).astype(object),
        "status": np.concatenate([STATUS[state], np.full(len(k), "AGENCY", dtype=object)]),
        "worker_id": staff_ids(np.concatenate([worker, locum])),
        "newly_qualified": np.concatenate([np.where(role == "SW", np.where(at < nq, "Y", "N"), None),
                                           np.where(role[k] == "SW", "N", None)]).astype(object),
        # family support workers hold cases: the default for OTHER is not to
        "case_holding": np.concatenate([np.where(role == "OTHER", "Y", None),
                                        np.where(role[k] == "OTHER", "Y", None)]).astype(object),
    }
    order = np.lexsort((rows["post_id"].astype(str), rows["as_at_date"]))
    return {k_: v[order] for k_, v in rows.items()}
