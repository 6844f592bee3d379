"""Postgres passwords hidden wherever a connection string, or a message that may echo one, is shown:
console lines, exception messages, Dagster events and logs. The one place that knows where libpq
takes a password (https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-CONNSTRING):

- a URI's user info: postgresql://user:pw@host1:5432,host2/db (postgres:// too; pw percent-encoded);
- a URI's query: ...?password=pw&sslmode=require;
- a key=value string: host=db password=pw, password = 'p w' (quoted, with \\' and \\\\ escapes).

`sslpassword` (the client key's passphrase) is a secret too.
"""

import re
from urllib.parse import quote, unquote, urlsplit

MASK = "***"
_KEYS = r"(?:ssl)?password"
# from the user's ":" to the last "@" of the authority: greedy, so a stray "@" in a password hides it whole
_USERINFO = re.compile(r"(postgres(?:ql)?://[^:@/?#\s]*:)([^/?#\s]*)(@)", re.IGNORECASE)
_QUERY = re.compile(rf"([?&]{_KEYS}=)([^&#\s]*)", re.IGNORECASE)
# a key at the start, after a space or an opening quote (messages quote the conninfo); its value quoted
# (an unterminated quote runs to the end) or up to the next unescaped space
_KEYVALUE = re.compile(rf"((?<![^\s'\"(]){_KEYS}\s*=\s*)('(?:[^'\\]|\\.)*'?|(?:[^\s\\]|\\.)+)", re.IGNORECASE)
# a known password shorter than this is not replaced as plain text (it would mask "post" in "postgresql"
# in every message); the patterns above still hide it in every libpq form
_SHORTEST_LITERAL = 4


def redact(text: str, conninfo: str | None = None) -> str:
    """`text` with every password written in a libpq form masked; with `conninfo` (the connection
    string the text may echo) its passwords are also masked wherever they appear, in any spelling."""
    text = _USERINFO.sub(rf"\1{MASK}\3", text)
    text = _QUERY.sub(rf"\1{MASK}", text)
    text = _KEYVALUE.sub(rf"\1{MASK}", text)
    for secret in sorted(passwords(conninfo or ""), key=len, reverse=True):
        if len(secret) >= _SHORTEST_LITERAL:
            text = text.replace(secret, MASK)
    return text


def passwords(conninfo: str) -> set[str]:
    """The passwords in a connection string, in each spelling a message might show: as written, decoded
    (percent-decoding, backslash escapes), percent-encoded, and escaped as Python's repr does. Every form
    is looked for everywhere: a key=value string's dbname may itself be a URI or key=value string."""
    found = {m.group(2) for pattern in (_USERINFO, _QUERY) for m in pattern.finditer(conninfo)}
    if re.match(r"postgres(?:ql)?://", conninfo, re.IGNORECASE):  # a whole URI: all its user info (spaces too)
        userinfo = urlsplit(conninfo).netloc.rpartition("@")[0]
        found.add(userinfo.partition(":")[2])
    for m in _KEYVALUE.finditer(conninfo):
        value = m.group(2)
        value = value[1:-1] if len(value) > 1 and value[0] == value[-1] == "'" else value.lstrip("'")
        found.update({m.group(2), value, re.sub(r"\\(.)", r"\1", value)})
    found |= {unquote(s) for s in found}
    found |= {quote(s, safe="") for s in found} | {repr(s)[1:-1] for s in found}  # repr: Python's messages
    return {s for s in found if s}
