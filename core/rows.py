"""Single rows read and written with SQL written once per model, for the hottest paths (live
votes).

Reads: ``instance`` turns a row of hand-written SQL into a model instance, as the ORM does
after its query (each value through the database's and the field's converters, so SQLite's
datetimes become aware and its booleans bool; ``from_db`` builds it, the fields not read are
deferred). The live votes' keyed reads (a tablet with its session and process, a token under
its row lock, a motion with what the voting policy asks) are statements written once: the ORM
compiled them again on every vote, which cost as much CPU as the vote's own inserts.

Writes: ``Model.save()`` and ``QuerySet.create()`` compile their INSERT or UPDATE again on every
call: on the live vote path that compilation cost about as much CPU as the database's own work
for the statement (profiled, issue 14). These functions keep the ORM's semantics that those
paths rely on — each field's ``pre_save`` (``auto_now``, defaults already set by ``__init__``)
and ``get_db_prep_save`` (the database's value), the primary key read back, ``_state`` updated —
and skip the rest: no ``pre_save``/``post_save`` signals, no parent models, no ``update_fields``
bookkeeping. Use them only for models that have no signal receivers and no multi-table
inheritance (``insert`` checks the latter).
"""

import functools

from django.db import connections
from django.db.models import Model


def fields_of(model, names) -> list:
    """The model's concrete fields named (by attname) in ``names``, in the model's order."""
    wanted = set(names)
    return [f for f in model._meta.concrete_fields if f.attname in wanted]


@functools.cache
def _converters(model, names: tuple, vendor: str, alias: str) -> list:
    connection = connections[alias]
    found = []
    for field in fields_of(model, names):
        col = field.get_col(model._meta.db_table)
        found.append(
            (connection.ops.get_db_converters(col) + col.get_db_converters(connection), col)
        )
    return found


def instance(model, names, values, *, using: str = "default"):
    """``model.from_db`` of ``values`` (in the order of ``fields_of(model, names)``)."""
    connection = connections[using]
    names = tuple(names)
    converted = []
    for value, (converters, col) in zip(
        values, _converters(model, names, connection.vendor, using), strict=True
    ):
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(using, [f.attname for f in fields_of(model, names)], converted)


def loaded(model, values: dict, *, using: str = "default"):
    """``instance`` of a mapping of attribute names to the database's values."""
    names = [f.attname for f in fields_of(model, values)]
    return instance(model, names, [values[name] for name in names], using=using)


def _quote(alias: str):
    return connections[alias].ops.quote_name


@functools.cache
def _insert_plan(model: type[Model], alias: str) -> tuple[str, tuple, bool]:
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label}: rows.insert does not write parent models")
    connection = connections[alias]
    q = _quote(alias)
    pk = meta.pk
    generated = getattr(pk, "db_returning", False)  # an AutoField: the database assigns it
    fields = tuple(f for f in meta.local_concrete_fields if not (f is pk and generated))
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608 - quoted names from the model; values are parameters
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    returning = generated and connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {q(meta.db_table)}.{q(pk.column)}"
    return sql, fields, generated


def insert_values(obj: Model, using: str = "default") -> tuple[str, list]:
    """The INSERT of ``obj`` (its SQL, the same for every row of the model, and its values)."""
    sql, fields, _generated = _insert_plan(type(obj), using)
    connection = connections[using]
    return sql, [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def saved(obj: Model, pk, using: str = "default") -> Model:
    """Mark ``obj`` as stored under ``pk`` (what ``save()`` does after its INSERT)."""
    if pk is not None:
        obj.pk = pk
    obj._state.adding = False
    obj._state.db = using
    return obj


def insert(obj: Model, using: str = "default") -> Model:
    """INSERT ``obj`` (one statement) and set its primary key; returns ``obj``."""
    sql, values = insert_values(obj, using)
    _plan_sql, _fields, generated = _insert_plan(type(obj), using)
    connection = connections[using]
    meta = type(obj)._meta
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        pk = None
        if generated:
            if connection.features.can_return_columns_from_insert:
                pk = cursor.fetchone()[0]
            else:
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    return saved(obj, pk, using)


@functools.cache
def _update_sql(model: type[Model], names: tuple[str, ...], alias: str) -> tuple[str, tuple]:
    meta = model._meta
    q = _quote(alias)
    fields = tuple(meta.get_field(name) for name in names)
    assignments = ", ".join(f"{q(f.column)} = %s" for f in fields)
    sql = f"UPDATE {q(meta.db_table)} SET {assignments} WHERE {q(meta.pk.column)} = %s"  # noqa: S608 - quoted names from the model; values are parameters
    return sql, fields


def update(obj: Model, names, using: str | None = None) -> None:
    """``obj.save(update_fields=names)`` without signals: one UPDATE by primary key."""
    using = using or obj._state.db or "default"
    sql, fields = _update_sql(type(obj), tuple(names), using)
    connection = connections[using]
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, obj.pk])
        if cursor.rowcount != 1:
            raise type(obj).DoesNotExist(f"{type(obj)._meta.label} {obj.pk} was not updated")
