"""SQL functions that SQLite and PostgreSQL spell differently, for statements that build in the database what
Python would otherwise build row by row (INSERT … SELECT). Each gives what the Python it replaces gives."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class json_object(FunctionElement[Any]):  # noqa: N801 (named like the SQL function)
    """json_object(key=value, …): a JSON object with the keys in the order given, reading back as the dict
    `json.dumps` would have written (SQLite json_object, PostgreSQL json_build_object). Values are columns,
    other json_object()s, or typed binds (PostgreSQL must know a bind's type: cast it)."""

    type = sa.JSON()
    inherit_cache = True
    name = "json_object"

    def __init__(self, **pairs: sa.ColumnElement[Any]) -> None:
        # keys are our own words, written into the SQL (a bind would leave PostgreSQL guessing its type)
        assert all(key.isidentifier() for key in pairs)
        super().__init__(*(part for key, value in pairs.items() for part in (sa.literal_column(f"'{key}'"), value)))


@compiles(json_object)
def _json_object(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(json_object, "postgresql")
def _json_build_object(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


class utc_isoformat(FunctionElement[str]):  # noqa: N801
    """utc_isoformat(column): a UTCDateTime column as `datetime.isoformat()` of its value gives it
    ('2026-12-02T10:00:00.123456+00:00', without the fraction when it is zero). A column only (it is
    written more than once in the SQL)."""

    type = sa.String()
    inherit_cache = True
    name = "utc_isoformat"


@compiles(utc_isoformat)
def _utc_isoformat_sqlite(element: utc_isoformat, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite holds it as text, 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's storage format for SQLite)
    x = compiler.process(element.clauses, **kw)
    return (
        f"(substr({x}, 1, 10) || 'T' || CASE WHEN substr({x}, 21, 6) = '000000' THEN substr({x}, 12, 8) "
        f"ELSE substr({x}, 12) END || '+00:00')"
    )


@compiles(utc_isoformat, "postgresql")
def _utc_isoformat_pg(element: utc_isoformat, compiler: SQLCompiler, **kw: Any) -> str:
    x = compiler.process(element.clauses, **kw)
    utc = f"({x} AT TIME ZONE 'UTC')"
    return (
        f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({utc}, 'US') = '000000' THEN '' "
        f"ELSE to_char({utc}, '.US') END || '+00:00')"
    )


class IdList(TypeDecorator[list[int]]):
    """A list of ids bound as one parameter: an integer array on PostgreSQL, a JSON array on SQLite (see in_ids)."""

    impl = sa.String()
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(sa.Integer()))
        return dialect.type_descriptor(sa.String())

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        ids = [int(i) for i in value]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class in_ids(FunctionElement[bool]):  # noqa: N801
    """in_ids(column, name): `column IN (the ids bound as `name`)` with the ids as ONE parameter (an IdList), so
    that a batch of a thousand ids is a short statement that the driver and the database can cache and prepare,
    rather than a thousand parameters written into the SQL each time (SQLite: json_each; PostgreSQL: = ANY)."""

    type = sa.Boolean()
    inherit_cache = True
    name = "in_ids"

    def __init__(self, column: sa.ColumnElement[Any], name: str) -> None:
        super().__init__(column, sa.bindparam(name, type_=IdList()))


@compiles(in_ids)
def _in_ids_sqlite(element: in_ids, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} IN (SELECT value FROM json_each({ids})))"


@compiles(in_ids, "postgresql")
def _in_ids_pg(element: in_ids, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} = ANY(CAST({ids} AS INTEGER[])))"
