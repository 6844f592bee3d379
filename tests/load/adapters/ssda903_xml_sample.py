"""The public SSDA903 CSV sample (tests/load/adapters/samples.py) written in the XML form of the return,
built at test time so both forms hold exactly the same records.

Structure as the XML LAs' case systems export and the DfE-funded 903 validator reads
(data-to-insight/csc-validator-be-903, lac_validator/ingress.py and tests/fake_data/fake_903.xml):
EXPSSDA903/CHILD, each with a HEADER (CHILDID, UPN, SEX, DOB, ETHNIC, UASC, DUC, the OC3 fields
IN_TOUCH/ACTIV/ACCOM, AMISSING and AREVIEW tables, and with `care` the OC2 and AD_PLACED tables and the
AD1 fields, MOTHER, MC_DOB) and one EPISODE per episode (PL for the CSV's PLACE). A blank CSV value is an empty element, as in that sample.

    python -m tests.load.adapters.ssda903_xml_sample out.xml   # write one to look at
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.load.adapters.samples import SSDA903

EPISODE = ["DECOM", "RNE", "LS", "CIN", "PL", "PL_POST", "HOME_POST", "URN", "PLACE_PROVIDER", "DEC", "REC",
           "REASON_PLACE_CHANGE"]


def _rows(folder: Path, name: str) -> list[dict]:
    with open(folder / name, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _by_child(rows: list[dict]) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for row in rows:
        out[row["CHILD"]].append(row)
    return out


def _add(parent: ET.Element, tag: str, text: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text or None
    return element


OC2 = ["SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
       "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]
AD1 = ["DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]
AD_PLACED = ["DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]


def build_xml(out: Path, folder: Path = SSDA903, care: Path | None = None) -> Path:
    """Write the CSV sample in `folder` as one SSDA903 XML at `out`: a CHILD per header row, in order.
    `care`: a folder with the oc2, ad1 and placed_for_adoption CSVs of samples.SSDA903_CARE, written in
    as the validator's XML holds them (OC2 and AD_PLACED tables in HEADER, the AD1 fields in HEADER
    itself; an AD1 child has one AD1 row). DoLo has no known XML form."""
    oc2 = _by_child(_rows(care, "oc2_2018.csv")) if care else {}
    ad1 = {r["CHILD"]: r for r in _rows(care, "ad1.csv")} if care else {}
    placed = _by_child(_rows(care, "placed_for_adoption.csv")) if care else {}
    episodes = _by_child(_rows(folder, "episodes.csv"))
    uasc = {r["CHILD"]: r for r in _rows(folder, "uasc.csv")}
    oc3 = {r["CHILD"]: r for r in _rows(folder, "oc3.csv")}
    missing = _by_child(_rows(folder, "missing.csv"))
    reviews = _by_child(_rows(folder, "reviews.csv"))
    root = ET.Element("EXPSSDA903")
    for child in _rows(folder, "header.csv"):
        child_id = child["CHILD"]
        element = ET.SubElement(root, "CHILD")
        header = ET.SubElement(element, "HEADER")
        for tag, column in [("CHILDID", "CHILD"), ("UPN", "UPN"), ("SEX", "SEX"), ("DOB", "DOB"), ("ETHNIC", "ETHNIC")]:
            _add(header, tag, child[column])
        _add(header, "UASC", "1" if child_id in uasc else None)
        if child_id in uasc:
            _add(header, "DUC", uasc[child_id]["DUC"])
        if child_id in oc3:
            for tag in ("IN_TOUCH", "ACTIV", "ACCOM"):
                _add(header, tag, oc3[child_id][tag])
        for row in missing.get(child_id, []):
            table = ET.SubElement(header, "AMISSING")
            for tag in ("MISSING", "MIS_START", "MIS_END"):
                _add(table, tag, row[tag])
        for row in reviews.get(child_id, []):
            table = ET.SubElement(header, "AREVIEW")
            for tag in ("REVIEW", "REVIEW_CODE"):
                _add(table, tag, row[tag])
        for row in oc2.get(child_id, []):
            table = ET.SubElement(header, "OC2")
            for tag in OC2:
                _add(table, tag, row[tag])
        if child_id in ad1:
            for tag in AD1:
                _add(header, tag, ad1[child_id][tag])
        for row in placed.get(child_id, []):
            table = ET.SubElement(header, "AD_PLACED")
            for tag in AD_PLACED:
                _add(table, tag, row[tag])
        _add(header, "MOTHER", child["MOTHER"])
        _add(header, "MC_DOB", child["MC_DOB"])
        for row in episodes.get(child_id, []):
            episode = ET.SubElement(element, "EPISODE")
            for tag in EPISODE:
                _add(episode, tag, row["PLACE" if tag == "PL" else tag])
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out


if __name__ == "__main__":
    print(build_xml(Path(sys.argv[1])))
