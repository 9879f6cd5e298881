# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads on the hottest paths (one submission request), with their SQL compiled once.

Building a QuerySet and compiling it cost several times the CPU of running the query it
makes (a program row: ~1 ms of Python against ~0.1 ms in PostgreSQL), and
``RawQuerySet`` spends as much again matching columns to fields. ``PreparedRead`` keeps
the ORM's own SQL, the column order and the value converters per database connection,
and builds instances with ``Model.from_db`` as the ORM does. Use it only where a profile
shows the ORM's cost; everything else reads through QuerySets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Plan:
    sql: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


class PreparedRead(Generic[M]):
    """``build()`` returns the QuerySet once, with placeholder values where the real
    parameters go; ``run(params)`` executes its SQL with ``params`` in the same order.
    ``build`` may instead return ``(sql, attnames)``: hand-written SQL selecting those
    columns of the model, in the model's field order."""

    def __init__(
        self,
        model: type[M],
        build: Callable[[BaseDatabaseWrapper], QuerySet[M] | tuple[str, Sequence[str]]],
    ) -> None:
        self.model = model
        self.build = build
        # Per connection: converters are bound to their connection (one per thread).
        self._plan = lru_cache(maxsize=64)(self._compile)

    def _compile(self, connection: BaseDatabaseWrapper) -> _Plan:
        built = self.build(connection)
        meta = self.model._meta
        if isinstance(built, QuerySet):
            compiler = built.query.get_compiler(connection=connection)
            sql, _params = compiler.as_sql()
            cols = [col for col, _sql, _alias in compiler.select]
            attnames = tuple(col.target.attname for col in cols)
        else:
            sql, names = built
            attnames = tuple(names)
            fields = [meta.get_field(name) for name in attnames]
            assert all(isinstance(field, Field) for field in fields)
            cols = [field.get_col(meta.db_table) for field in fields]  # type: ignore[union-attr]
        order = [f.attname for f in meta.concrete_fields if f.attname in attnames]
        assert list(attnames) == order, "columns must follow the model's field order"
        converters = []
        for index, col in enumerate(cols):
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((index, tuple(found), col))
        return _Plan(sql, attnames, tuple(converters))

    def run(self, params: Sequence[Any], *, using: str | None = None) -> list[M]:
        """The instances the query finds (deferred fields when it selects some)."""
        alias = using or router.db_for_read(self.model)
        connection = connections[alias]
        plan = self._plan(connection)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, list(params))
            rows = cursor.fetchall()
        found = []
        for row in rows:
            values = list(row)
            for index, convs, col in plan.converters:
                value = values[index]
                for convert in convs:
                    value = convert(value, col, connection)
                values[index] = value
            found.append(self.model.from_db(alias, plan.attnames, values))
        return found


# --- Writing a row and the rows about it in one statement -------------------------------


@dataclass(frozen=True, eq=False)
class PendingPk:
    """The primary key ``row`` gets when ``rows_insert`` writes it, used as a value of a
    row written together with it: the key itself, or ``prefix`` followed by the key as
    text (``"lead:42"``). Also allowed as a top-level value of a JSON object."""

    row: Model
    prefix: str | None = None

    def resolve(self) -> Any:
        pk = self.row.pk
        assert pk is not None, "the row is not written yet"
        return pk if self.prefix is None else f"{self.prefix}{pk}"


def pk_or_pending(row: Model, *, prefix: str | None = None) -> Any:
    """``row``'s primary key (``prefix`` and the key as text when a prefix is given); a
    ``PendingPk`` while ``row`` is not written yet. Pure."""
    if row.pk is None:
        return PendingPk(row, prefix)
    return row.pk if prefix is None else f"{prefix}{row.pk}"


def _resolve(value: Any) -> Any:
    if isinstance(value, PendingPk):
        return value.resolve()
    if isinstance(value, dict) and any(isinstance(v, PendingPk) for v in value.values()):
        return {k: v.resolve() if isinstance(v, PendingPk) else v for k, v in value.items()}
    return value


def _insert_fields(model: type[Model]) -> list[Field]:
    """The columns ``Model.save`` writes for a new row whose key the database assigns."""
    meta = model._meta
    return [
        f
        for f in meta.local_concrete_fields
        if f is not meta.auto_field and not getattr(f, "generated", False)
    ]


def _orm_only(rows: Sequence[Model]) -> bool:
    """Whether a row must go through ``save()``: its model overrides it, or a ``post_save``
    receiver listens (``pre_save``'s one receiver, Wagtail's locale default, ignores
    models that are not translatable)."""
    from django.db.models.signals import post_save

    return any(
        type(row).save is not Model.save or post_save.has_listeners(type(row)) for row in rows
    )


def _column(field: Any) -> str:
    column = field.column
    assert isinstance(column, str)
    return column


@lru_cache(maxsize=32)
def _together_sql(alias: str, shape: tuple[tuple[type[Model], tuple[Any, ...]], ...]) -> str:
    """The statement for rows of these models, each value a parameter (``"v"``), the first
    row's key (``"pk"``), a prefix and the key as text (``"pkt"``), or a JSON object merged
    with the first row's key under given names (``("json", kinds)``)."""
    qn = connections[alias].ops.quote_name
    first_pk = qn(_column(shape[0][0]._meta.pk))
    key = f"(SELECT {first_pk} FROM r0)"  # noqa: S608 (names from _meta)
    as_text = f"(CAST(%s AS text) || CAST({key} AS text))"
    parts = []
    for index, (model, kinds) in enumerate(shape):
        meta = model._meta
        values = []
        for kind in kinds:
            if kind == "v":
                values.append("%s")
            elif kind == "pk":
                values.append(key)
            elif kind == "pkt":
                values.append(as_text)
            else:
                merged = ", ".join(
                    f"CAST(%s AS text), {key if k == 'pk' else as_text}" for k in kind[1]
                )
                values.append(f"(CAST(%s AS jsonb) || jsonb_build_object({merged}))")
        columns = ", ".join(qn(_column(f)) for f in _insert_fields(model))
        parts.append(
            f"r{index} AS (INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608 (names from _meta)
            f"VALUES ({', '.join(values)}) RETURNING {qn(_column(meta.pk))})"
        )
    keys = ", ".join(
        f"(SELECT {qn(_column(model._meta.pk))} FROM r{index})"  # noqa: S608
        for index, (model, _kinds) in enumerate(shape)
    )
    return f"WITH {', '.join(parts)} SELECT {keys}"


def rows_insert(first: Model, *rows: Model) -> None:
    """Write ``first``, a new row whose key the database assigns, and ``rows``, new rows
    about it, whose values may be ``PendingPk(first)`` (also as top-level values of a JSON
    object). Every column is written as ``save(force_insert=True)`` would write it, and
    every row gets its key.

    On PostgreSQL, one statement (data-modifying CTEs), its SQL built once per shape: the
    three ORM INSERTs of a submission cost a third of its request's Python time. Elsewhere
    (SQLite has no INSERT inside WITH), or when a model overrides ``save()`` or a
    ``post_save`` receiver listens, one ``save()`` each. Call inside the transaction
    that makes the change; locks nothing."""
    alias = router.db_for_write(type(first))
    connection = connections[alias]
    everything = (first, *rows)
    if connection.vendor != "postgresql" or first.pk is not None or _orm_only(everything):
        first.save(force_insert=True, using=alias)
        for row in rows:
            for field in _insert_fields(type(row)):
                setattr(row, field.attname, _resolve(getattr(row, field.attname)))
            row.save(force_insert=True, using=alias)
        return
    shape = []
    params: list[Any] = []
    for row in everything:
        # As save() and bulk_create() do: related rows saved, their keys copied.
        row._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
        kinds: list[Any] = []
        for field in _insert_fields(type(row)):
            value = field.pre_save(row, add=True)
            assert not hasattr(value, "resolve_expression"), f"{field}: expressions unsupported"
            if isinstance(value, PendingPk):
                assert value.row is first, "a pending key stands for the first row"
                kinds.append("pk" if value.prefix is None else "pkt")
                if value.prefix is not None:
                    params.append(value.prefix)
            elif isinstance(value, dict) and any(isinstance(v, PendingPk) for v in value.values()):
                pending = {k: v for k, v in value.items() if isinstance(v, PendingPk)}
                assert all(v.row is first for v in pending.values())
                rest = {k: v for k, v in value.items() if k not in pending}
                kinds.append(
                    ("json", tuple("pk" if v.prefix is None else "pkt" for v in pending.values()))
                )
                params.append(field.get_db_prep_save(rest, connection=connection))
                for name, v in pending.items():
                    params.append(name)
                    if v.prefix is not None:
                        params.append(v.prefix)
            else:
                kinds.append("v")
                params.append(field.get_db_prep_save(value, connection=connection))
        shape.append((type(row), tuple(kinds)))
    with connection.cursor() as cursor:
        cursor.execute(_together_sql(alias, tuple(shape)), params)
        keys = cursor.fetchone()
    for row, pk in zip(everything, keys, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = alias
    for row in rows:
        for field in _insert_fields(type(row)):
            setattr(row, field.attname, _resolve(getattr(row, field.attname)))
