"""The ORM's own SQL, compiled once per process, for the few statements that every tablet sends
all session long (the 2-second poll, a vote): there, compiling a query with the ORM costs more
CPU than the database spends running it. Table and column names still come from the models, so
a migration cannot leave this SQL behind."""

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import Error, connection
from django.db import transaction as db_transaction
from django.db.models import Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


@dataclass(frozen=True)
class Statement:
    sql: str
    params_order: tuple[str, ...]

    def bind(self, **values) -> tuple[str, list]:
        """The statement and its parameters, for ``batch``."""
        return self.sql, [values[name] for name in self.params_order]

    def fetchone(self, **values) -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute(*self.bind(**values))
            return cursor.fetchone()

    def fetchall(self, **values) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(*self.bind(**values))
            return cursor.fetchall()


def batch(*statements: tuple[str, Sequence]) -> list[list[tuple]]:
    """Each statement's rows (none for a plain write), the statements run in order: on
    PostgreSQL in one round trip (the backend's ``batch``), elsewhere one after the other. Only
    for statements whose parameters are known before the first one runs; a read sent after a
    lock still runs once the lock is held, with a fresh snapshot."""
    if hasattr(connection, "batch"):
        return connection.batch(statements)
    with connection.cursor() as cursor:
        results = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall() if cursor.description is not None else [])
        return results


class Batches:
    """The batches of one transaction (``transaction``)."""

    def __init__(self, *, folded: bool):
        self.folded = folded
        self.begun = self.ended = False

    def batch(self, *statements: tuple[str, Sequence], last: bool = False) -> list[list[tuple]]:
        """As ``batch``; ``last``: nothing is sent after it in this transaction, so COMMIT can
        ride with it."""
        if not self.folded:
            return batch(*statements)
        rows = connection.batch(statements, begin=not self.begun, commit=last)
        self.begun, self.ended = True, last
        return rows


@contextlib.contextmanager
def transaction() -> Iterator[Batches]:
    """A transaction made of batches. On PostgreSQL, when no transaction is open around it (a
    request, not a test), BEGIN rides with the first batch and COMMIT with the ``last`` one: two
    round trips where ``transaction.atomic`` takes four. Elsewhere, and inside someone else's
    transaction, it is ``transaction.atomic``.

    Only batches inside: an ORM write or a nested ``atomic`` would not know of the open
    transaction (Django believes it is in autocommit). An exception rolls everything back; a
    normal exit before a ``last`` batch commits. The backend rolls back any transaction still
    open when a request ends (vivreensemble/postgres/base.py)."""
    if not (hasattr(connection, "batch") and connection.get_autocommit()):
        with db_transaction.atomic():
            yield Batches(folded=False)
        return
    batches = Batches(folded=True)
    try:
        yield batches
    except BaseException:
        if batches.begun and not batches.ended:
            try:
                connection.rollback()
            except Error:
                connection.close()  # as transaction.atomic does: the connection is unusable
        raise
    if batches.begun and not batches.ended:
        connection.batch((), commit=True)


def precompiled(build: Callable[..., QuerySet]) -> Callable[[], Statement]:
    """Decorate a function that builds a queryset from named placeholder values; calling the
    decorated function gives the compiled Statement (once per process, on first use, before the
    statement's batch is sent). Each placeholder gets a distinct sentinel, so the order of
    parameters in the SQL is read off the compiled query, never guessed."""
    names = build.__code__.co_varnames[: build.__code__.co_argcount]

    @functools.cache
    def statement() -> Statement:
        sentinels = {name: -(1_000_003 + index) for index, name in enumerate(names)}
        query = build(**sentinels).query
        # The ORM compiles SELECT … FOR UPDATE only inside a transaction; opening and ending
        # one with nothing in it sends nothing to the database.
        needs_transaction = query.select_for_update and connection.get_autocommit()
        with db_transaction.atomic() if needs_transaction else contextlib.nullcontext():
            sql, params = query.sql_with_params()
        by_sentinel = {key: name for name, value in sentinels.items() for key in (value, str(value))}
        return Statement(sql=sql, params_order=tuple(by_sentinel[value] for value in params))

    return statement


def loaded_fields(model: type[Model], attnames: Iterable[str]) -> list[str]:
    """The given columns in the model's own field order, so that the same columns are listed
    alike wherever they are named (``Joined`` slices its rows by this order)."""
    wanted = set(attnames)
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


def instance(model: type[Model], attnames: list[str], row: Iterable) -> Model:
    """A model instance with only these fields loaded; the others load on access, and ``save()``
    writes only the loaded ones, as with ``QuerySet.only()``. Values go through the converters
    the ORM would apply: the backend's (on SQLite: aware datetimes, booleans) and the fields'
    (``from_db_value``, on every backend).

    Built as a loaded row is, its values in the instance's ``__dict__`` (where Django looks to
    tell a loaded field from a deferred one), without ``Model.__init__``: that walks every field
    of the model and sends two signals for each instance, and on the tablets' hot paths (a vote
    builds three instances) it took more of the app server's time under load than its share of
    instructions says. So only for models without an ``__init__`` of their own and without
    receivers of ``pre_init`` or ``post_init``, which would never be called (checked once per
    process for each model and columns)."""
    values = list(row)
    for index, column, convert in _converters(model, tuple(attnames)):
        for converter in convert:
            values[index] = converter(values[index], column, connection)
    built = model.__new__(model)
    built.__dict__.update(zip(attnames, values, strict=True))
    state = built._state = ModelState()
    state.adding, state.db = False, connection.alias
    return built


@functools.cache
def _converters(model: type[Model], attnames: tuple[str, ...]) -> list:
    """Worked out once per process for these columns: per column, the backend's and the field's
    converters from database values (as the ORM's compiler collects them), for the columns that
    have any. The backends' converters read only settings (the time zone), never the connection
    they were taken from."""
    listened = pre_init.has_listeners(model) or post_init.has_listeners(model)
    if model.__init__ is not Model.__init__ or listened:
        raise TypeError(f"{model.__name__} has its own __init__ or init signals: load it with the ORM")
    fields = {field.attname: field for field in model._meta.concrete_fields}
    converters = []
    for index, name in enumerate(attnames):
        column = fields[name].get_col(model._meta.db_table)
        convert = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if convert:
            converters.append((index, column, convert))
    return converters


@dataclass(frozen=True)
class Joined:
    """A row of several models joined, as ``select_related`` would load them: each part is a
    model, its lookup path from the first one ("" for the first), and its columns (the model's
    own field order). ``columns`` names them for ``values_list``; ``instances`` builds them from
    a row (None for an empty nullable relation)."""

    parts: tuple[tuple[type[Model], str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, *parts: tuple[type[Model], str, Iterable[str] | None]) -> "Joined":
        return cls(tuple(
            (model, path, tuple(loaded_fields(model, names) if names is not None else all_fields(model)))
            for model, path, names in parts
        ))

    @property
    def columns(self) -> list[str]:
        return [f"{path}__{name}" if path else name for _model, path, names in self.parts for name in names]

    def instances(self, row: Sequence) -> list[Model | None]:
        built, start = [], 0
        for model, _path, names in self.parts:
            values, start = row[start : start + len(names)], start + len(names)
            built.append(None if values[0] is None else instance(model, list(names), values))
        return built


def all_fields(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]
