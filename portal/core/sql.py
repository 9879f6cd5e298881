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
