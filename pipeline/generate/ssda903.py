"""The `ssda903` output format: an LA whose looked-after data comes as the SSDA903 return.

The entities the return carries (CARRIED) are written as its CSV files, in the public layouts the
DfE-funded validator reads (data-to-insight/csc-validator-be-903 lac_validator/config.py), which are
the ones pipeline/load/adapters/ssda903.py recognises by their header rows: header, uasc, episodes,
reviews, missing, oc2_<year>, oc3, ad1, placed_for_adoption, prev_perm and dolo. Every other entity,
children included (the 903 header holds looked-after children only, and the other entities refer to
children the return never sees), stays a native CSV, so the native children file wins over the
header file and the loader says so (rule statutory_overridden), as it would for a real LA sending both.

The files are one full-history export per kind (what `complete_from` in the manifest is for), not
yearly returns: they hold exactly the rows of the native extract, so a refresh of either publishes
the same figures wherever the 903 can carry them (tests/generate/test_ssda903_format.py says where not).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .draws import birthday

FORMAT = "ssda903"
# native entities the return supplies; written as 903 files instead of native ones
CARRIED = ("cla_episodes", "care_leavers", "cla_reviews", "missing_episodes", "cla_oc2", "adoption",
           "deprivation_of_liberty")
# the files the format writes that the adapter reads (and OC2, one per collection year: oc2_<year>.csv);
# prev_perm.csv is written too, as the return has it, but nothing reads it
FILES = ("header.csv", "uasc.csv", "episodes.csv", "reviews.csv", "missing.csv", "oc3.csv", "ad1.csv",
         "placed_for_adoption.csv", "dolo.csv")
OC2_GLOB = "oc2_*.csv"
PREV_PERM = "prev_perm.csv"
SEX = {"M": "1", "F": "2"}  # the 903's codes; any other native code (unknown) is left blank
FLAG = {"Y": "1", "N": "0"}


def manifest_keys(tables: dict[str, dict[str, np.ndarray]]) -> dict:
    """What the manifest must say for the folder to be read as an SSDA903 LA: the format is present,
    and the files are a full-history export from the first episode on (docs/statutory_formats.md,
    complete_from), which the native extract of the same rows implicitly is too."""
    starts = tables["cla_episodes"]["start_date"]
    if not len(starts):  # no child ever looked after: nothing to vouch for
        return {"formats": [FORMAT]}
    return {"formats": [FORMAT], "complete_from": {FORMAT: starts.min().astype(object)}}


def files(folder: Path) -> list[Path]:
    """The 903 files of one LA folder that the adapter reads."""
    return sorted([p for p in map(folder.joinpath, FILES) if p.exists()] + list(folder.glob(OC2_GLOB)))


def remove_files(folder: Path) -> None:
    """So that a run in another format leaves no 903 file behind."""
    (folder / PREV_PERM).unlink(missing_ok=True)
    for name in FILES:
        (folder / name).unlink(missing_ok=True)
    for path in folder.glob(OC2_GLOB):
        path.unlink()


def write_return(folder: Path, tables: dict[str, dict[str, np.ndarray]]) -> None:
    """The 903 files of one LA from its native tables."""
    children = tables["children"]
    dob = dict(zip(children["child_id"], _dates(children["date_of_birth"])))
    episodes = tables["cla_episodes"]
    in_care = set(episodes["child_id"])
    looked_after = np.isin(children["child_id"], list(in_care))
    header = {k: v[looked_after] for k, v in children.items()}
    _write(folder / "header.csv", ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"], [
        header["child_id"], [SEX.get(s, "") for s in header["sex"]], _dates(header["date_of_birth"]),
        header["ethnicity"], None, None, None])
    uasc = {k: v[header["uasc"] == "Y"] for k, v in header.items()}
    _write(folder / "uasc.csv", ["CHILD", "SEX", "DOB", "DUC"], [
        uasc["child_id"], [SEX.get(s, "") for s in uasc["sex"]], _dates(uasc["date_of_birth"]),
        _dates(birthday(uasc["date_of_birth"], 18))])  # DUC: UASC status ceases at 18
    _write(folder / "episodes.csv", ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC",
                                     "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"], [
        episodes["child_id"], _dates(episodes["start_date"]), episodes["reason_new_episode"],
        episodes["legal_status"], episodes["category_of_need"], episodes["placement_type"],
        episodes["placement_provider"], _dates(episodes["end_date"]), episodes["reason_episode_ceased"],
        episodes["reason_place_change"], None, episodes["placement_postcode"], None])
    _with_dob(folder / "reviews.csv", ["REVIEW", "REVIEW_CODE"], tables["cla_reviews"], dob,
              [_dates(tables["cla_reviews"]["review_date"]), tables["cla_reviews"]["participation"]])
    missing = _looked_after_on_start(tables["missing_episodes"], episodes)
    _with_dob(folder / "missing.csv", ["MISSING", "MIS_START", "MIS_END"], missing, dob,
              [missing["missing_type"], _dates(missing["start_date"]), _dates(missing["end_date"])])
    _oc2(folder, tables["cla_oc2"], dob)
    _with_dob(folder / "oc3.csv", ["IN_TOUCH", "ACTIV", "ACCOM"], tables["care_leavers"], dob, [
        tables["care_leavers"][c] for c in ("in_touch", "activity", "accommodation")])
    _adoption(folder, tables["adoption"], dob)
    _prev_perm(folder, episodes, dob)
    dolo = tables["deprivation_of_liberty"]
    _write(folder / "dolo.csv", ["CHILD", "DOLO_START", "DOLO_END"], [
        dolo["child_id"], _dates(dolo["start_date"]), _dates(dolo["end_date"])])


def _oc2(folder: Path, oc2: dict[str, np.ndarray], dob: dict[str, str]) -> None:
    """One OC2 file per collection year, its year in the name (the file has no date column)."""
    columns = ["SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
               "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]
    for year_end in np.unique(oc2["year_ending"]):
        rows = {k: v[oc2["year_ending"] == year_end] for k, v in oc2.items()}
        flags = {c: [FLAG.get(v, "") for v in rows[c]] for c in
                 ("convicted", "health_check", "immunisations", "teeth_check", "development_assessment",
                  "substance_misuse")}
        _with_dob(folder / f"oc2_{year_end.astype(object).year}.csv", columns, rows, dob, [
            rows["sdq_score"], None, flags["convicted"], flags["health_check"], flags["immunisations"],
            flags["teeth_check"], flags["development_assessment"], flags["substance_misuse"], None, None])


def _adoption(folder: Path, adoption: dict[str, np.ndarray], dob: dict[str, str]) -> None:
    """AD1 holds the decisions that led to a match (the year's adopted children), placed_for_adoption
    every decision with its reversal; the adapter joins the two on child and decision date. The 903
    has no placement order date: the model takes it from the episodes (legal status E1/D1)."""
    matched = {k: v[~np.isnat(adoption["matched_date"])] for k, v in adoption.items()}
    _with_dob(folder / "ad1.csv", ["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
                                   "LS_ADOPTR"], matched, dob, [
        _dates(matched["decision_date"]), _dates(matched["matched_date"]),
        [FLAG.get(v, "") for v in matched["adopted_by_foster_carer"]], None, None, None])
    _with_dob(folder / "placed_for_adoption.csv", ["DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"],
              adoption, dob, [_dates(adoption["decision_date"]), _dates(adoption["decision_reversed_date"]),
                              adoption["reversal_reason"]])


def _prev_perm(folder: Path, episodes: dict[str, np.ndarray], dob: dict[str, str]) -> None:
    """A row per period of care started (RNE S), as the return has; the generator simulates no
    earlier permanence, so PREV_PERM is Z1 (none). The adapter does not read this file."""
    started = {k: v[episodes["reason_new_episode"] == "S"] for k, v in episodes.items()}
    _with_dob(folder / PREV_PERM, ["PREV_PERM", "LA_PERM", "DATE_PERM"], started, dob,
              [np.full(len(started["child_id"]), "Z1", dtype=object), None, None])


def _looked_after_on_start(missing: dict[str, np.ndarray], episodes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The 903 missing file lists looked-after children only: episodes starting while the child has a
    period of care open (an episode started on or before the day and not ended by it)."""
    open_on: dict[str, list[tuple]] = {}
    for child, start, end in zip(episodes["child_id"], episodes["start_date"], episodes["end_date"]):
        open_on.setdefault(child, []).append((start, end))
    keep = np.array([any(s <= day and (np.isnat(e) or e > day) for s, e in open_on.get(child, ()))
                     for child, day in zip(missing["child_id"], missing["start_date"])], dtype=bool)
    return {k: v[keep] for k, v in missing.items()}


def _with_dob(path: Path, columns: list[str], table: dict[str, np.ndarray], dob: dict[str, str], values: list) -> None:
    """Every file but header, episodes and DoLo starts CHILD, DOB."""
    _write(path, ["CHILD", "DOB", *columns], [table["child_id"], [dob.get(c, "") for c in table["child_id"]], *values])


def _write(path: Path, header: list[str], columns: list) -> None:
    """A CSV in the DfE's layout: `None` for a column the generator has no data for (left empty)."""
    n = len(columns[0])
    cells = [[""] * n if c is None else ["" if v is None else str(v) for v in c] for c in columns]
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(zip(*cells))


def _dates(values: np.ndarray) -> list[str]:
    """DD/MM/YYYY, as the 903 writes dates; NaT -> empty."""
    days = np.asarray(values).astype("datetime64[D]")
    iso = np.datetime_as_string(days, unit="D")
    return ["" if nat else f"{d[8:10]}/{d[5:7]}/{d[:4]}" for d, nat in zip(iso, np.isnat(days))]

