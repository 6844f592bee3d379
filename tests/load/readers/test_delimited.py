"""Simple CSV files are split by pyarrow's reader (delimited.parse_simple), the rest by Python's csv
module: both must give exactly the same rows, row numbers, headers, notes and file rules."""

import pytest

from pipeline.generate import generate_inbox
from pipeline.load import readers
from pipeline.load.readers import delimited
from pipeline.load.sources import EntitySource
from pipeline.specs import entities

# (file bytes, whether the simple reader may take it)
CASES = {
    "plain": (b"a,b\n1,2\n3,4\n", True),
    "crlf, BOM and a DOS end-of-file mark": (b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4\r\n\x1a", True),
    "spaces kept, repeated and empty headers": (b" a ,A,,a\n 1 ,2,3,4\n", True),
    "header only": (b"a,b\n", True),
    "blank row in the middle": (b"a,b\n1,2\n\n3,4\n", False),
    "row of empty values": (b"a,b,c\n1,2,3\n , ,\xc2\xa0\n4,5,6\n", False),
    "row filled in its first cell only": (b"a,b,c\n1,,\n4,5,6\n", False),
    "short row": (b"a,b,c\n1,2\n4,5,6\n", False),
    "long row": (b"a,b\n1,2,3\n", False),
    "CR inside a row": (b"a,b\n1,2\r3,4\n", False),
    "quoted value": (b'a,b\n"1,5",2\n', False),
    "blank line before the header": (b"\na,b\n1,2\n", False),
    "rows split by semicolons": (b"a,b\n1;2,\n3;4,\n", False),
    "a separator character str.strip() drops": (b"a,b\nx,\x1f\n", False),
}


def read(path, simple: bool, monkeypatch):
    if not simple:
        monkeypatch.setattr(delimited, "parse_simple", lambda data: None)
    try:  # a file is read in pieces: it may prove unreadable at its last
        read, pieces = readers.read_source(EntitySource(path), entities()["contacts"])
        rows = [row for piece in pieces for row in piece.to_pylist()]
    except readers.UnreadableSource as exc:
        return "unreadable", str(exc)
    finally:
        monkeypatch.undo()
    return read.columns, read.headers, read.notes, read.file_rule, rows


@pytest.mark.parametrize("name", CASES)
def test_the_simple_reader_reads_what_it_takes_as_the_csv_module_does(name, tmp_path, monkeypatch):
    data, simple = CASES[name]
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    assert (delimited.parse_simple(data) is not None) == simple
    assert read(path, True, monkeypatch) == read(path, False, monkeypatch)


def test_generated_extracts_take_the_simple_reader_and_read_the_same(tmp_path, monkeypatch):
    generate_inbox(tmp_path, n_las=1, months=6, seed=7)
    files = sorted(tmp_path.glob("*/*.csv"))
    assert len(files) >= 10
    for path in files:
        assert delimited.parse_simple(path.read_bytes()) is not None, path.name
        assert read(path, True, monkeypatch) == read(path, False, monkeypatch), path.name


# what only the csv module reads, beside CASES
CAREFUL = {
    "classic Mac line ends (CR)": b"a,b\r1,2\r3,4\r",
    "UTF-16 with a BOM": "a,b\r\n1,\u00e9\r\n".encode("utf-16"),
    "Windows-1252": b"a,b\n1,caf\xe9\n2,x\n",
    "quoted newline and a bad row": b'a,b\n1,"x\ny"\n2,3,4\n"5",6\n',
    "quote never closed": b'a,b\n1,2\n3,"4\n5,6\n',
    "semicolons": b"a;b\n1;2\n3;4\n",
    "a BOM, simple rows, then a quote": b'\xef\xbb\xbfa,b\n1,2\n3,"4\n5"\n\xef\xbb\xbf6,7\n',
}


@pytest.mark.parametrize("name", [n for n in [*CASES, *CAREFUL] if n != "rows split by semicolons"])
def test_a_file_read_in_pieces_of_a_byte_reads_as_when_read_at_once(name, tmp_path, monkeypatch):
    """A file is read in pieces of about PIECE_BYTES (never whole): the smallest pieces must change nothing.
    (But rows split by another delimiter are judged on the first piece: of one row here.)"""
    path = tmp_path / "contacts.csv"
    path.write_bytes(CASES[name][0] if name in CASES else CAREFUL[name])
    at_once = read(path, True, monkeypatch)
    monkeypatch.setattr(delimited, "PIECE_BYTES", 1)
    assert read(path, True, monkeypatch) == at_once
