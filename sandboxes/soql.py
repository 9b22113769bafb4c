"""A deliberately tiny SOQL subset: what keyset pagination and lookups by a field need.

Grammar (keywords case-insensitive):
  SELECT (COUNT() | f1, f2, ...) FROM Account
  [WHERE cond] [ORDER BY f [ASC|DESC], ...] [LIMIT n]
  cond := term (OR term)* ; term := factor (AND factor)* ;
  factor := '(' cond ')' | field (=|!=|<|<=|>|>=) 'string literal'
          | field [NOT] IN '(' 'string literal' (, 'string literal')* ')'
As Salesforce: an empty or unclosed IN list, or a bare value in it, is MALFORMED_QUERY. Like
the comparisons here, a null field matches neither IN nor NOT IN (unchecked against the real
thing, and nothing Colonnade sends depends on it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>\d+)|(?P<op>>=|<=|!=|<>|=|>|<)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class SoqlError(ValueError):
    """Carries the Salesforce errorCode to answer with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Query:
    fields: list[str] | None  # None means SELECT COUNT()
    where: Predicate | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos, text = 0, text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token at position {pos}")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str, known_fields: dict[str, str]) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.known = known_fields  # lower-case name -> canonical name

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def keyword(self, *words: str) -> bool:
        tok = self.peek()
        if tok and tok[0] == "word" and tok[1].upper() == words[0]:
            for n, word in enumerate(words):
                t = self.tokens[self.i + n] if self.i + n < len(self.tokens) else None
                if not t or t[1].upper() != word:
                    return False
            self.i += len(words)
            return True
        return False

    def expect(self, kind: str, value: str | None = None) -> str:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1].upper() != value):
            want = value or kind
            raise SoqlError(
                "MALFORMED_QUERY", f"expecting {want}, found {tok[1] if tok else 'EOF'}"
            )
        self.i += 1
        return tok[1]

    def field(self) -> str:
        name = self.expect("word")
        canonical = self.known.get(name.lower())
        if canonical is None:
            raise SoqlError("INVALID_FIELD", f"No such column '{name}' on entity 'Account'.")
        return canonical

    def parse(self) -> Query:
        self.expect("word", "SELECT")
        fields: list[str] | None
        if self.keyword("COUNT"):
            self.expect("punct", "(")
            self.expect("punct", ")")
            fields = None
        else:
            fields = [self.field()]
            while self.peek() == ("punct", ","):
                self.i += 1
                fields.append(self.field())
        self.expect("word", "FROM")
        sobject = self.expect("word")
        if sobject.lower() != "account":
            raise SoqlError("INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
        query = Query(fields=fields)
        if self.keyword("WHERE"):
            query.where = self.disjunction()
        if self.keyword("ORDER", "BY"):
            query.order.append(self.order_key())
            while self.peek() == ("punct", ","):
                self.i += 1
                query.order.append(self.order_key())
        if self.keyword("LIMIT"):
            query.limit = int(self.expect("num"))
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{self.peek()[1]}'")  # type: ignore[index]
        return query

    def order_key(self) -> tuple[str, bool]:
        name = self.field()
        if self.keyword("DESC"):
            return name, True
        self.keyword("ASC")
        return name, False

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.keyword("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.factor()]
        while self.keyword("AND"):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def factor(self) -> Predicate:
        if self.peek() == ("punct", "("):
            self.i += 1
            inner = self.disjunction()
            self.expect("punct", ")")
            return inner
        name = self.field()
        negated = self.keyword("NOT", "IN")
        if negated or self.keyword("IN"):
            return self.membership(name, negated)
        op = _OPS[self.expect("op")]
        literal = self.literal()

        def predicate(record: Record) -> bool:
            value = record.get(name)
            return value is not None and op(value, literal)

        return predicate

    def literal(self) -> str:
        return re.sub(r"\\(.)", r"\1", self.expect("str")[1:-1])

    def membership(self, name: str, negated: bool) -> Predicate:
        self.expect("punct", "(")
        values = {self.literal()}
        while self.peek() == ("punct", ","):
            self.i += 1
            values.add(self.literal())
        self.expect("punct", ")")

        def predicate(record: Record) -> bool:
            value = record.get(name)
            return value is not None and (value in values) != negated

        return predicate


def parse(text: str, known_fields: list[str]) -> Query:
    """Parse SOQL text; raises SoqlError with MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE."""
    return _Parser(text, {f.lower(): f for f in known_fields}).parse()


def execute(query: Query, records: list[Record]) -> list[Record]:
    """Filter, sort (stable, last key first) and limit; projection is the caller's job."""
    rows = [r for r in records if query.where is None or query.where(r)]
    for name, descending in reversed(query.order):
        rows.sort(key=_field_key(name), reverse=descending)
    return rows if query.limit is None else rows[: query.limit]


def _field_key(name: str) -> Callable[[Record], Any]:
    return lambda r: r.get(name) or ""
