"""SSDA903 XML (root EXPSSDA903) -> the same records, kind by kind, as the CSV files.

The XML form of the return holds one CHILD per child: a HEADER with the header fields (CHILDID for
CHILD), the uasc fields (UASC flag, DUC), the oc3 fields (IN_TOUCH, ACTIV, ACCOM) and the AD1 fields
(DATE_INT, ...), with the tables nested in it (AREVIEW, AMISSING, OC2, AD_PLACED: `xml.tables` of
ssda903.yml; PERMANENCE is not used), then one EPISODE per episode (PL for PLACE). Structure as the
DfE-funded 903 validator reads it (docs/statutory_formats.md).
Each record is named by its element path, e.g. "/EXPSSDA903/CHILD[12]/EPISODE[3]".

The file is read as a stream: each CHILD becomes records and is dropped, so memory holds the
records, never the document. Any DOCTYPE is refused before content is read (no entity declarations,
no external references: XXE and "billion laughs" need one), and the size is checked first.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from pipeline.specs.formats import Ssda903Xml

SNIFF_BYTES = 64 * 1024
SKIPPED = re.compile(r"<\?.*?\?>|<!--.*?-->", re.DOTALL)  # declaration, processing instructions, comments
DOCTYPE = re.compile(r"<!DOCTYPE\s+([\w.:-]+)", re.IGNORECASE)  # names the root element
FIRST_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
UASC_FLAG = ("1", "Y", "YES", "TRUE")
OC3_FIELDS = ("IN_TOUCH", "ACTIV", "ACCOM")

Row = tuple[int, str, dict]  # (record position in the file, element path, fields by CSV column name)


class XmlProblem(Exception):
    """A file that cannot be read as an SSDA903 XML; the message names the file and the rule."""


@dataclass
class XmlReturn:
    kinds: dict[str, list[Row]] = field(default_factory=dict)  # 903 kind (header, episodes, ...) -> rows
    warnings: list[str] = field(default_factory=list)


def root_name(path: Path) -> str | None:
    """The root element's local name, from the file's first bytes as text: nothing is parsed or
    expanded, so a hostile file is only recognised here and refused by read()."""
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return None  # not ours to report: the CIN census reader, which takes every other XML, says why
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    text = SKIPPED.sub("", head.decode(encoding, errors="replace"))
    match = DOCTYPE.search(text) or FIRST_ELEMENT.search(text)
    return match.group(1).rsplit(":", 1)[-1].upper() if match else None


def read(path: Path, spec: Ssda903Xml, where: str) -> XmlReturn:
    """The records of one SSDA903 XML; XmlProblem when it cannot be read whole."""
    size = path.stat().st_size
    if size > spec.max_file_mb * 1024 * 1024:
        raise XmlProblem(f"{where}: {size / 1024 / 1024:.0f} MB is over the {spec.max_file_mb:g} MB limit for "
                         f"an SSDA903 XML; not read (rule file_too_large)")
    reader = _Reader(spec, where)
    try:
        reader.run(path)
    except DefusedXmlException as exc:
        raise XmlProblem(f"{where}: refused: the XML declares a document type, entities or external references "
                         f"({exc.__class__.__name__}), as XXE and entity-expansion (billion laughs) attacks do; "
                         f"an SSDA903 XML needs none (rule unsafe_xml)") from None
    except ParseError as exc:
        after = f", after {reader.last}" if reader.last else ""
        raise XmlProblem(f"{where}: not well-formed XML ({exc}{after}) (rule unreadable_file)") from None
    return reader.result()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].upper()  # tolerate a namespace and lower-case names


class _Reader:
    def __init__(self, spec: Ssda903Xml, where: str):
        self.spec, self.where = spec, where
        self.rename: dict[str, str] = spec.rename
        self.kinds: dict[str, list[Row]] = {"header": [], "episodes": [], "oc3": []}
        self.uasc_known = False  # a UASC or DUC element seen: children without one are not UASC
        self.unknown: set[str] = set()
        self.children = 0
        self.last: str | None = None  # the last CHILD read, to say where a malformed file breaks

    def run(self, path: Path) -> None:
        depth, root = 0, None
        for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if _local(root.tag) != self.spec.root:
                        raise XmlProblem(f"{self.where}: root element {_local(root.tag)}, not {self.spec.root}: "
                                         f"not an SSDA903 XML (rule not_ssda903)")
                continue
            depth -= 1
            if depth == 1:  # a whole child of the root: read it, then drop it
                if _local(element.tag) == "CHILD":
                    self.children += 1
                    self._child(element, f"/{self.spec.root}/CHILD[{self.children}]")
                else:
                    self.unknown.add(f"/{self.spec.root}/{_local(element.tag)}")
                root.clear()

    def _child(self, child: Element, location: str) -> None:
        headers = [e for e in child if _local(e.tag) == "HEADER"]
        header = self._fields(headers[0]) if headers else {}
        self.unknown.update(f"/{self.spec.root}/CHILD/{_local(e.tag)}" for e in child
                            if _local(e.tag) not in ("HEADER", "EPISODE"))
        self.unknown.update(f"/{self.spec.root}/CHILD/HEADER" for _ in headers[1:])
        child_id = header.get("CHILD")
        self.kinds["header"].append((self.children, f"{location}/HEADER", header))
        if "UASC" in header or "DUC" in header:
            self.uasc_known = True
            if (header.get("UASC") or "").strip().upper() in UASC_FLAG or (header.get("DUC") or "").strip():
                self.kinds.setdefault("uasc", []).append((self.children, f"{location}/HEADER", header))
        if any((header.get(f) or "").strip() for f in OC3_FIELDS):
            self.kinds["oc3"].append((len(self.kinds["oc3"]) + 1, f"{location}/HEADER", header))
        for kind, field_name in self.spec.header_kinds.items():  # AD1: fields of HEADER itself
            if (header.get(field_name) or "").strip():
                self._add(kind, f"{location}/HEADER", header)
        for tag, kind in self.spec.tables.items():  # AREVIEW, AMISSING, OC2, AD_PLACED nested in HEADER
            tables = [e for h in headers[:1] for e in h if _local(e.tag) == tag]
            for n, table in enumerate(tables, start=1):
                self._add(kind, f"{location}/HEADER/{tag}[{n}]",
                          {**self._fields(table), "CHILD": child_id, "DOB": header.get("DOB")})
        episodes = [e for e in child if _local(e.tag) == "EPISODE"]
        for n, episode in enumerate(episodes, start=1):
            row = {**self._fields(episode), "CHILD": child_id}
            self.kinds["episodes"].append((len(self.kinds["episodes"]) + 1, f"{location}/EPISODE[{n}]", row))
        self.last = location

    def _add(self, kind: str, location: str, row: dict) -> None:
        rows = self.kinds.setdefault(kind, [])
        rows.append((len(rows) + 1, location, row))

    def _fields(self, element: Element) -> dict:
        """Leaf elements by CSV column name (the first of a repeated one); nested tables are not used."""
        out: dict = {}
        for leaf in element:
            if len(leaf) == 0:
                out.setdefault(self.rename.get(_local(leaf.tag), _local(leaf.tag)), leaf.text)
        return out

    def result(self) -> XmlReturn:
        out = XmlReturn({kind: rows for kind, rows in self.kinds.items() if rows})
        if self.uasc_known:
            out.kinds.setdefault("uasc", [])  # known: no child is UASC
        if not self.children:
            out.warnings.append(f"{self.where}: no CHILD under {self.spec.root}: the file supplies no records "
                                f"(rule ssda903_xml_empty)")
        if self.unknown:
            out.warnings.append(f"{self.where}: elements not in the SSDA903 XML structure are not read: "
                                f"{', '.join(sorted(self.unknown))} (rule ssda903_xml_unknown_element)")
        return out
