"""CIN census XML -> children, referrals, assessments, cin_plans, s47_enquiries, cp_plans, cp_reviews.

Mapping: pipeline/specs/cin_census.yml. Each record is named by its element path, e.g.
"/Message/Children/Child[3]/CINdetails[1]/Assessments[2]". Parsing refuses entity declarations
and external references (XXE, billion laughs) and files over the size limit: such a file is a
dataset error that holds the LA back, reported with the reason.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from pipeline.load.adapters.common import (
    Adapted, ReadContext, add_months, column_value, coverage_for, make_source,
)
from pipeline.specs import entities, format_spec
from pipeline.specs.formats import AnyOf, CensusRecord

FORMAT = "cin_census"
TITLE = "CIN census"


@dataclass
class ChildEntry:
    element: Element
    location: str
    details: list[tuple[Element, str]] = field(default_factory=list)  # CINdetails, possibly from several files


def detect(candidates: list[Path]) -> list[Path]:
    """Every XML file (read_statutory offers it only those no earlier format recognised, so not an
    SSDA903 XML): a statutory XML that is not a CIN census is reported, not ignored."""
    return [p for p in candidates if p.suffix.lower() == ".xml"]


def read(files: list[Path], ctx: ReadContext) -> Adapted:
    out = Adapted(FORMAT, TITLE)
    spec = format_spec(FORMAT)
    censuses = []  # (reference date, path, root)
    for path in files:
        root, problem = _parse(path, ctx.la_code, spec.max_file_mb)
        if problem:
            out.problems.append(problem)
            continue
        reference = _date(_text(root, "Header/CollectionDetails/ReferenceDate"))
        if reference is None:
            out.warnings.append(f"{ctx.la_code}/{path.name}: no valid Header/CollectionDetails/ReferenceDate; "
                                f"the census year is taken to end on the extract date (rule cin_reference_date)")
        censuses.append((reference or ctx.extract_date, path, root))
    if out.problems or not censuses:
        return out
    censuses.sort(key=lambda c: (c[0], c[1].name))
    several = len(censuses) > 1
    records = _records(_children(censuses, several), spec.records)
    start = ctx.complete_from or add_months(censuses[0][0], -12) + timedelta(days=1)
    paths = tuple(p for _, p, _ in censuses)
    for entity_name, rows in records.items():
        coverage = () if entity_name == "children" else coverage_for(
            spec.coverage.get(entity_name), start, "a CIN census holds the CIN episodes open during its year",
            ctx.extract_date)
        # labelled by element, so findings group by entity: "census.xml[CINdetails]"
        element = spec.records[entity_name].element.rsplit("/", 1)[-1]
        source = make_source(entity_name, rows, paths[-1], files=paths, coverage=coverage,
                             name=f"{f'CIN census ({len(paths)} files)' if several else paths[-1].name}[{element}]")
        if source:
            out.sources[entity_name] = source
    return out


def _parse(path: Path, la_code: str, max_mb: float) -> tuple[Element | None, str | None]:
    where = f"{la_code}/{path.name}"
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        return None, f"{where}: {size / 1024 / 1024:.0f} MB is over the {max_mb:g} MB limit for a CIN census; not read (rule file_too_large)"
    try:
        root = SafeElementTree.parse(path, forbid_dtd=False, forbid_entities=True, forbid_external=True).getroot()
    except DefusedXmlException as exc:
        return None, (f"{where}: refused: the XML declares entities or refers to external resources "
                      f"({exc.__class__.__name__}), as XXE and entity-expansion (billion laughs) attacks do; "
                      f"a CIN census needs neither (rule unsafe_xml)")
    except ParseError as exc:
        return None, f"{where}: not well-formed XML ({exc}) (rule unreadable_file)"
    collection = (_text(root, "Header/CollectionDetails/Collection") or "").strip()
    if _local(root.tag) != "Message" or collection.upper() != "CIN":
        what = f"the {collection} collection" if collection else f"root element {_local(root.tag)}"
        hint = ("; an XML in the inbox must be a CIN census (root element Message) or an SSDA903 return "
                "(root element EXPSSDA903)" if "903" in collection or _local(root.tag) != "Message" else "")
        return None, f"{where}: not a CIN census ({what}){hint} (rule not_cin_census)"
    return root, None


def _children(censuses: list, several: bool) -> list[ChildEntry]:
    """Children of every census, oldest first: a later census's child (and each CIN episode of
    theirs, by referral date) replaces the earlier one. Repeats within one file stay repeated, so
    land.py quarantines them as duplicate IDs."""
    merged: dict[str, ChildEntry] = {}
    repeats: list[ChildEntry] = []
    for _, path, root in censuses:
        prefix = f"{path.name} " if several else ""
        seen: set[str] = set()
        for child, location in _find(root, "Children/Child", prefix + f"/{_local(root.tag)}"):
            entry = ChildEntry(child, location, _find(child, "CINdetails", location))
            child_id = (_text(child, "ChildIdentifiers/LAchildID") or "").strip()
            if not child_id or child_id in seen:
                repeats.append(entry)
                continue
            seen.add(child_id)
            if child_id in merged:
                newer = {_text(d, "CINreferralDate") for d, _ in entry.details}
                entry.details = [(d, loc) for d, loc in merged[child_id].details
                                 if _text(d, "CINreferralDate") not in newer] + entry.details
            merged[child_id] = entry
    return [*merged.values(), *repeats]


def _records(children: list[ChildEntry], spec: dict[str, CensusRecord]) -> dict[str, list[dict]]:
    """Native records of every entity, walking each child's elements as the spec's tree says."""
    records: dict[str, list[dict]] = {name: [] for name in spec}
    below = {name: [n for n, s in spec.items() if s.parent == name] for name in spec}

    def emit(entity_name: str, element: Element, location: str, parent_id: str | None, child_id: str | None,
             n: int, found: dict[str, list] | None = None) -> None:
        entity_spec, entity = spec[entity_name], entities()[entity_name]
        record = {name: _value(element, path, entity.column(name)) for name, path in entity_spec.columns.items()}
        if entity_name == "children":
            child_id = record["child_id"]
            record_id = child_id
        else:
            record["child_id"] = child_id
            record_id = entity_spec.id.format(parent=parent_id, n=n) if entity_spec.id else None
            if record_id and entity.key:
                record[entity.key] = record_id
            if entity_spec.link:
                record[entity_spec.link] = parent_id
        record["_row"] = len(records[entity_name]) + 1
        record["_location"] = location
        records[entity_name].append(record)
        for sub in below[entity_name]:
            elements = found[sub] if found and sub in found else _find(element, spec[sub].element, location)
            for m, (sub_element, sub_location) in enumerate(elements, start=1):
                emit(sub, sub_element, sub_location, record_id, child_id, m)

    for entry in children:
        emit("children", entry.element, entry.location, None, None, 0, {"referrals": entry.details})
    return records


def _value(element: Element, path, column) -> str | None:
    if isinstance(path, AnyOf):  # a flag from a list of codes: any but the `none` codes -> Y
        codes = [(e.text or "").strip().upper() for e, _ in _find(element, path.any_of, "")]
        codes = [c for c in codes if c]
        return None if not codes else "N" if set(codes) <= set(path.none) else "Y"
    for alternative in [path] if isinstance(path, str) else path:
        text = _text(element, alternative)
        if text is not None:
            return column_value(text, column, None, FORMAT)
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # tolerate a default namespace


def _find(element: Element, path: str, location: str) -> list[tuple[Element, str]]:
    """Elements at `path` (local names, "/"-separated) with their XPath-like locations: the last
    step, and any step that repeats, carries its position among same-named siblings."""
    current = [(element, location)]
    steps = path.split("/")
    for depth, step in enumerate(steps):
        found = []
        for parent, where in current:
            matches = [c for c in parent if _local(c.tag) == step]
            for i, match in enumerate(matches, start=1):
                indexed = depth == len(steps) - 1 or len(matches) > 1
                found.append((match, f"{where}/{step}[{i}]" if indexed else f"{where}/{step}"))
        current = found
    return current


def _text(element: Element, path: str) -> str | None:
    if path == ".":
        return element.text
    found = _find(element, path, "")
    return found[0][0].text if found else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None
