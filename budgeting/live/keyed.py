"""Model instances from a row of hand-written SQL, converted as the ORM converts them.

The cast's two keyed reads (the tablet with its session and process, the token under its row
lock) are statements written once (``selectors.tablet_for_cast``, ``casting._locked_token``):
the ORM compiled them again on every cast, which cost as much CPU as the cast's own inserts.
What the ORM does after the query is kept: each value goes through the database's and the
field's converters (SQLite's datetimes become aware, for instance), and ``from_db`` builds
the instance (fields not read are deferred).
"""

import functools

from django.db import connections


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
