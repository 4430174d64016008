#!/usr/bin/env python3
"""pds-lint dry run: drives a PySpark streaming data source the way Spark's driver and executors
call it, on this machine, without Spark. Standard library only (Python 3.8+).

    python3 pds_dry_run.py FILE [--class NAME] [--option KEY=VALUE]... [--batches N]
        [--interval SECONDS] [--timeout SECONDS] [--schema DDL] [--root DIR] [--protocol events|json]

What it does, as Spark does it (see docs/dry-run.md):
  * imports FILE with the real ``pyspark`` when it is importable, else with pds-lint's stand-in
    for ``pyspark.sql.datasource``/``pyspark.sql.types``/``pyspark.TaskContext`` (stand_in/);
  * ``DataSource(options=...)``, ``schema()``, ``streamReader(schema=...)`` (falling back to
    ``simpleStreamReader`` on ``PySparkNotImplementedError``), pickles the DataSource;
  * a driver reader for ``initialOffset``/``latestOffset``/``partitions``/``commit``, and a second
    reader built for planning and pickled, of which each task unpickles its own copy to ``read``;
  * every offset goes through ``json.dumps``/``json.loads`` as Spark's checkpoint does.

Output: with ``--protocol events`` (the default) one JSON object per line on stdout (``start``,
``call``, ``batch-start``, ``batch``, and last ``result``); with ``--protocol json`` the result
document only. The user's own prints go to stderr. Exit code 0 when the result was written
(whether or not it has findings), 3 when the harness itself was misused.
"""
import argparse
import array
import collections
import collections.abc
import copy
import datetime
import decimal
import importlib
import importlib.util
import inspect
import json
import linecache
import math
import numbers
import os
import pickle
import re
import signal
import sys
import threading
import time
import traceback

PROTOCOL_VERSION = 1
HERE = os.path.dirname(os.path.abspath(__file__))
STAND_IN_DIR = os.path.join(HERE, "stand_in")
MAX_TRACKED_ROWS = 200000
MAX_EXAMPLES = 5
WATCHDOG_GRACE = 2.0

SEVERITY = {
    "PDS001": "warning",
    "PDS002": "warning",
    "PDS003": "error",
    "PDS006": "error",
    "PDS007": "error",
    "PDS009": "error",
    "PDS013": "warning",
    "PDS014": "warning",
    "PDS021": "error",
    "PDS022": "error",
    "PDS023": "error",
}


# --------------------------------------------------------------------------- output channel


class Channel(object):
    """The protocol stream: a private copy of stdout. fd 1 itself is pointed at stderr, so the
    user's prints (Python or C level) never mix with the protocol."""

    def __init__(self, protocol):
        self.protocol = protocol
        self.lock = threading.Lock()
        self.done = False
        sys.stdout.flush()
        self.out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
        os.dup2(2, 1)
        sys.stdout = sys.stderr

    def event(self, kind, **data):
        if self.protocol != "events":
            return
        data["event"] = kind
        self._write(json.dumps(data, default=str))

    def result(self, doc):
        with self.lock:
            if self.done:
                return False
            self.done = True
            if self.protocol == "events":
                text = json.dumps({"event": "result", "result": doc}, default=str)
            else:
                text = json.dumps(doc, default=str, indent=2)
            self.out.write(text + "\n")
            self.out.flush()
            return True

    def _write(self, line):
        with self.lock:
            if self.done:
                return
            self.out.write(line + "\n")
            self.out.flush()


# --------------------------------------------------------------------------- timeouts


class CallTimeout(BaseException):
    """Raised inside the user's code when a call runs longer than --timeout (a BaseException, so
    ``except Exception`` in their code does not swallow it)."""

    def __init__(self, what, seconds):
        BaseException.__init__(self, "%s did not return within %g s" % (what, seconds))
        self.what = what
        self.seconds = seconds


class Guard(object):
    """Per-call timeout: SIGALRM on the main thread where there is one, and a watchdog thread
    that ends the process (after writing the result) when the call is stuck beyond the signal's
    reach, e.g. in C code or in a bare ``except:`` loop."""

    def __init__(self, timeout, on_stuck):
        self.timeout = timeout
        self.on_stuck = on_stuck
        self.what = None
        self.deadline = None
        self.use_signal = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if self.use_signal:
            signal.signal(signal.SIGALRM, self._alarm)
        watchdog = threading.Thread(target=self._watch, name="pds-dry-run-watchdog")
        watchdog.daemon = True
        watchdog.start()

    def _alarm(self, signum, frame):
        if self.what is not None:
            raise CallTimeout(self.what, self.timeout)

    def _watch(self):
        while True:
            time.sleep(0.2)
            deadline = self.deadline
            if deadline is not None and time.monotonic() > deadline + WATCHDOG_GRACE:
                self.on_stuck(self.what, self.timeout)
                return

    def start(self, what):
        self.what = what
        self.deadline = time.monotonic() + self.timeout
        if self.use_signal:
            signal.setitimer(signal.ITIMER_REAL, self.timeout)

    def stop(self):
        if self.use_signal:
            signal.setitimer(signal.ITIMER_REAL, 0)
        self.deadline = None
        self.what = None


# --------------------------------------------------------------------------- pyspark


class Spark(object):
    """The pyspark classes in use: the real ones, or the stand-in's."""

    def __init__(self):
        self.stand_in = False
        self.version = None
        self.missing_reason = None
        try:
            import pyspark.sql.datasource  # noqa: F401  (real pyspark first)
        except ImportError as err:
            self.missing_reason = "%s: %s" % (type(err).__name__, err)
            for name in [n for n in sys.modules if n == "pyspark" or n.startswith("pyspark.")]:
                del sys.modules[name]
            sys.path.insert(0, STAND_IN_DIR)
            import pyspark.sql.datasource  # noqa: F401,F811
            self.stand_in = True
        import pyspark
        import pyspark.sql.types as types
        from pyspark.sql import datasource

        self.pyspark = pyspark
        self.version = getattr(pyspark, "__version__", None)
        self.types = types
        self.datasource = datasource
        self.DataSource = datasource.DataSource
        self.StreamReader = datasource.DataSourceStreamReader
        self.SimpleReader = datasource.SimpleDataSourceStreamReader
        self.InputPartition = datasource.InputPartition
        try:
            from pyspark.sql.streaming.datasource import ReadAllAvailable

            self.ReadAllAvailable = ReadAllAvailable
        except ImportError:
            self.ReadAllAvailable = None
        self.cloudpickle = None
        if not self.stand_in:
            try:
                from pyspark import cloudpickle

                self.cloudpickle = cloudpickle
            except ImportError:
                pass

    def describe(self):
        if self.stand_in:
            return {"mode": "stand-in", "version": None, "reason": self.missing_reason}
        return {"mode": "pyspark", "version": self.version}

    def set_task_context(self, stage, partition, attempt_id):
        try:
            tc_cls = self.pyspark.TaskContext
            if partition is None:
                tc_cls._setTaskContext(None)
                return
            tc_cls._setTaskContext(None)
            tc = tc_cls._getOrCreate()
            tc._stageId = stage
            tc._partitionId = partition
            tc._attemptNumber = 0
            tc._taskAttemptId = attempt_id
            tc._localProperties = {}
            tc._resources = {}
            tc._cpus = 1
        except Exception:
            pass


def is_not_implemented(err):
    return any(c.__name__ == "PySparkNotImplementedError" for c in type(err).__mro__)


# --------------------------------------------------------------------------- options


ASKED = {"required": [], "optional": []}


class Options(dict):
    """The options Spark passes (a case-insensitive dict of strings). Remembers, for the whole run
    and across pickled copies, which keys the source asked for and did not get."""

    def __init__(self, values):
        dict.__init__(self, ((str(k).lower(), v) for k, v in values.items()))

    @staticmethod
    def _key(key):
        return key.lower() if isinstance(key, str) else key

    def __getitem__(self, key):
        try:
            return dict.__getitem__(self, self._key(key))
        except KeyError:
            if key not in ASKED["required"]:
                ASKED["required"].append(key)
            raise

    def get(self, key, default=None):
        k = self._key(key)
        if not dict.__contains__(self, k) and key not in ASKED["optional"]:
            ASKED["optional"].append(key)
        return dict.get(self, k, default)

    def __contains__(self, key):
        return dict.__contains__(self, self._key(key))

    def __setitem__(self, key, value):
        dict.__setitem__(self, self._key(key), value)

    def copy(self):
        return Options(self)

    def __reduce__(self):
        return (Options, (dict(self),))


# --------------------------------------------------------------------------- schema


class Field(object):
    __slots__ = ("name", "type", "nullable")

    def __init__(self, name, type_, nullable=True):
        self.name = name
        self.type = type_
        self.nullable = nullable


class SchemaError(Exception):
    pass


SIMPLE_TYPES = {
    "string": "string", "varchar": "string", "char": "string", "binary": "binary",
    "boolean": "boolean", "bool": "boolean", "date": "date", "timestamp": "timestamp",
    "timestamp_ltz": "timestamp", "timestamp_ntz": "timestamp_ntz", "double": "double",
    "float": "float", "real": "float", "tinyint": "byte", "byte": "byte", "smallint": "short",
    "short": "short", "int": "int", "integer": "int", "bigint": "long", "long": "long",
    "void": "null", "null": "null",
}

DDL_NAMES = {
    "string": "STRING", "binary": "BINARY", "boolean": "BOOLEAN", "date": "DATE",
    "timestamp": "TIMESTAMP", "timestamp_ntz": "TIMESTAMP_NTZ", "double": "DOUBLE", "float": "FLOAT",
    "byte": "TINYINT", "short": "SMALLINT", "int": "INT", "long": "BIGINT", "null": "VOID",
}

TOKEN = re.compile(r"\s*(?:(`(?:[^`]|``)*`)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(.))")


def tokenize(text):
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            tokens.append(("id", m.group(1)[1:-1].replace("``", "`")))
        elif m.group(2):
            tokens.append(("id", m.group(2)))
        elif m.group(3):
            tokens.append(("num", int(m.group(3))))
        elif m.group(4):
            tokens.append(("str", m.group(4)))
        elif m.group(5) and not m.group(5).isspace():
            tokens.append(("p", m.group(5)))
    return tokens


class DdlParser(object):
    """Spark DDL schemas: ``id BIGINT, ts TIMESTAMP NOT NULL, tags ARRAY<STRING>`` or
    ``struct<id: bigint, ...>``."""

    def __init__(self, text):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self, value=None):
        if self.i >= len(self.tokens):
            return None
        tok = self.tokens[self.i]
        if value is None:
            return tok
        return tok if tok[1] == value or (tok[0] == "id" and isinstance(value, str) and tok[1].lower() == value) else None

    def take(self, value=None):
        tok = self.peek(value)
        if tok is None:
            raise SchemaError("expected %s at token %d" % (value or "more", self.i))
        self.i += 1
        return tok

    def parse(self):
        if self.peek("struct") and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1][1] == "<":
            self.take()
            self.take("<")
            fields = self.fields(">")
            self.take(">")
        else:
            fields = self.fields(None)
        if self.i != len(self.tokens):
            raise SchemaError("unexpected %r" % (self.tokens[self.i][1],))
        if not fields:
            raise SchemaError("no fields")
        return fields

    def fields(self, closer):
        fields = []
        while self.peek() is not None and not (closer and self.peek(closer)):
            name_tok = self.take()
            if name_tok[0] != "id":
                raise SchemaError("expected a field name, got %r" % (name_tok[1],))
            if self.peek(":"):
                self.take()
            type_ = self.type()
            nullable = True
            while self.peek() is not None and self.peek()[0] == "id":
                word = self.peek()[1].lower()
                if word == "not":
                    self.take()
                    self.take("null")
                    nullable = False
                elif word == "null":
                    self.take()
                elif word == "comment":
                    self.take()
                    self.take()
                elif word in ("default", "collate"):
                    self.take()
                    self.take()
                else:
                    break
            fields.append(Field(name_tok[1], type_, nullable))
            if self.peek(","):
                self.take()
            else:
                break
        return fields

    def type(self):
        tok = self.take()
        if tok[0] != "id":
            raise SchemaError("expected a type, got %r" % (tok[1],))
        name = tok[1].lower()
        if name == "array":
            self.take("<")
            elem = self.type()
            self.take(">")
            return ("array", elem, True)
        if name == "map":
            self.take("<")
            key = self.type()
            self.take(",")
            value = self.type()
            self.take(">")
            return ("map", key, value, True)
        if name == "struct":
            self.take("<")
            fields = self.fields(">")
            self.take(">")
            return ("struct", fields)
        if name in ("decimal", "dec", "numeric"):
            precision, scale = 10, 0
            if self.peek("("):
                self.take()
                precision = self.take()[1]
                if self.peek(","):
                    self.take()
                    scale = self.take()[1]
                self.take(")")
            return ("decimal", int(precision), int(scale))
        if name in ("varchar", "char") and self.peek("("):
            self.take()
            self.take()
            self.take(")")
            return ("string",)
        if name == "string" and self.peek("collate"):
            self.take()
            self.take()
            return ("string",)
        if name == "interval":
            while self.peek() is not None and self.peek()[0] == "id" and self.peek()[1].lower() in (
                    "year", "month", "day", "hour", "minute", "second", "to"):
                self.take()
            return ("unknown", "interval")
        if name in SIMPLE_TYPES:
            return (SIMPLE_TYPES[name],)
        if self.peek("("):
            depth = 0
            while self.peek() is not None:
                t = self.take()[1]
                depth += 1 if t == "(" else -1 if t == ")" else 0
                if depth == 0:
                    break
        return ("unknown", name)


def type_from_datatype(dt):
    name = type(dt).__name__
    simple = {
        "StringType": "string", "CharType": "string", "VarcharType": "string", "BinaryType": "binary",
        "BooleanType": "boolean", "DateType": "date", "TimestampType": "timestamp",
        "TimestampNTZType": "timestamp_ntz", "DoubleType": "double", "FloatType": "float",
        "ByteType": "byte", "ShortType": "short", "IntegerType": "int", "LongType": "long",
        "NullType": "null",
    }
    if name in simple:
        return (simple[name],)
    if name == "DecimalType":
        return ("decimal", int(getattr(dt, "precision", 10)), int(getattr(dt, "scale", 0)))
    if name == "ArrayType":
        return ("array", type_from_datatype(dt.elementType), bool(getattr(dt, "containsNull", True)))
    if name == "MapType":
        return ("map", type_from_datatype(dt.keyType), type_from_datatype(dt.valueType), bool(getattr(dt, "valueContainsNull", True)))
    if name == "StructType":
        return ("struct", fields_from_struct(dt))
    return ("unknown", name)


def fields_from_struct(st):
    return [Field(f.name, type_from_datatype(f.dataType), bool(getattr(f, "nullable", True))) for f in st.fields]


def datatype_of(types, t):
    kind = t[0]
    simple = {
        "string": "StringType", "binary": "BinaryType", "boolean": "BooleanType", "date": "DateType",
        "timestamp": "TimestampType", "timestamp_ntz": "TimestampNTZType", "double": "DoubleType",
        "float": "FloatType", "byte": "ByteType", "short": "ShortType", "int": "IntegerType",
        "long": "LongType", "null": "NullType",
    }
    if kind in simple:
        return getattr(types, simple[kind])()
    if kind == "decimal":
        return types.DecimalType(t[1], t[2])
    if kind == "array":
        return types.ArrayType(datatype_of(types, t[1]), t[2])
    if kind == "map":
        return types.MapType(datatype_of(types, t[1]), datatype_of(types, t[2]), t[3])
    if kind == "struct":
        return struct_of(types, t[1])
    if t[1] == "variant" and hasattr(types, "VariantType"):
        return types.VariantType()
    return types.StringType()


def struct_of(types, fields):
    return types.StructType([types.StructField(f.name, datatype_of(types, f.type), f.nullable) for f in fields])


def type_ddl(t):
    kind = t[0]
    if kind in DDL_NAMES:
        return DDL_NAMES[kind]
    if kind == "decimal":
        return "DECIMAL(%d,%d)" % (t[1], t[2])
    if kind == "array":
        return "ARRAY<%s>" % type_ddl(t[1])
    if kind == "map":
        return "MAP<%s, %s>" % (type_ddl(t[1]), type_ddl(t[2]))
    if kind == "struct":
        return "STRUCT<%s>" % ", ".join("%s: %s" % (f.name, type_ddl(f.type)) for f in t[1])
    return t[1].upper()


def schema_ddl(fields):
    return ", ".join("%s %s%s" % (f.name, type_ddl(f.type), "" if f.nullable else " NOT NULL") for f in fields)


# --------------------------------------------------------------------------- value checks

INT_RANGES = {
    "byte": (-(2 ** 7), 2 ** 7 - 1),
    "short": (-(2 ** 15), 2 ** 15 - 1),
    "int": (-(2 ** 31), 2 ** 31 - 1),
    "long": (-(2 ** 63), 2 ** 63 - 1),
}


def short_repr(value, limit=80):
    try:
        text = repr(value)
    except Exception:
        text = "<%s>" % type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def type_name(value):
    t = type(value)
    return t.__name__ if t.__module__ in ("builtins", None) else "%s.%s" % (t.__module__, t.__name__)


def check_value(value, t, nullable, where):
    """Why Spark would reject ``value`` for type ``t`` (pyspark's LocalDataToArrowConversion and
    pyarrow), or None. Only clear cases: a value Spark coerces (anything for STRING) is fine."""
    if value is None:
        return None if nullable else "%s is None but the field is NOT NULL" % where
    kind = t[0]
    ddl = type_ddl(t)
    got = "%s %s" % (type_name(value), short_repr(value, 40))
    if kind == "string" or kind == "unknown":
        return None
    if kind in INT_RANGES:
        if isinstance(value, bool):
            return None
        if isinstance(value, numbers.Integral):
            lo, hi = INT_RANGES[kind]
            if not lo <= int(value) <= hi:
                return "%s: %s is out of range for %s" % (where, value, ddl)
            return None
        if isinstance(value, float):
            if value.is_integer():
                return None
            return "%s: float %r would be truncated to fit %s" % (where, value, ddl)
        if isinstance(value, numbers.Real):
            return None
        return "%s: got %s where %s expects an integer" % (where, got, ddl)
    if kind in ("double", "float"):
        if isinstance(value, numbers.Real):
            return None
        return "%s: got %s where %s expects a number" % (where, got, ddl)
    if kind == "boolean":
        if isinstance(value, (bool, numbers.Integral)):
            return None
        return "%s: got %s where BOOLEAN expects a bool" % (where, got)
    if kind == "date":
        if isinstance(value, datetime.date):
            return None
        return "%s: got %s where DATE expects a datetime.date" % (where, got)
    if kind == "timestamp":
        if isinstance(value, datetime.datetime):
            return None
        return "%s: got %s where TIMESTAMP expects a datetime.datetime" % (where, got)
    if kind == "timestamp_ntz":
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            return None
        if isinstance(value, datetime.datetime):
            return "%s: got an aware datetime %s where TIMESTAMP_NTZ expects a naive one" % (where, short_repr(value, 40))
        return "%s: got %s where TIMESTAMP_NTZ expects a datetime.datetime" % (where, got)
    if kind == "binary":
        if isinstance(value, (bytes, bytearray)):
            return None
        return "%s: got %s where BINARY expects bytes" % (where, got)
    if kind == "decimal":
        if not isinstance(value, decimal.Decimal):
            return "%s: got %s where %s expects a decimal.Decimal" % (where, got, ddl)
        if value.is_nan():
            return None
        try:
            value.quantize(decimal.Decimal("1E-%d" % t[2]), context=decimal.Context(prec=t[1], traps=[decimal.InvalidOperation]))
        except decimal.InvalidOperation:
            return "%s: %s does not fit %s" % (where, value, ddl)
        return None
    if kind == "null":
        return "%s: got %s where VOID expects None" % (where, got)
    if kind == "array":
        if not isinstance(value, (list, array.array)):
            return "%s: got %s where %s expects a list" % (where, got, ddl)
        for i, item in enumerate(value):
            problem = check_value(item, t[1], t[2], "%s[%d]" % (where, i))
            if problem:
                return problem
        return None
    if kind == "map":
        if not isinstance(value, dict):
            return "%s: got %s where %s expects a dict" % (where, got, ddl)
        for k, v in value.items():
            problem = check_value(k, t[1], False, "%s key" % where) or check_value(v, t[2], t[3], "%s[%s]" % (where, short_repr(k, 20)))
            if problem:
                return problem
        return None
    if kind == "struct":
        fields = t[1]
        if isinstance(value, tuple):
            if len(value) != len(fields):
                return "%s: a tuple of %d values for %s with %d fields" % (where, len(value), ddl, len(fields))
            values = list(value)
        elif isinstance(value, dict):
            values = [value.get(f.name) for f in fields]
        elif hasattr(value, "__dict__"):
            values = [value.__dict__.get(f.name) for f in fields]
        else:
            return "%s: got %s where %s expects a tuple, dict or Row" % (where, got, ddl)
        for f, v in zip(fields, values):
            problem = check_value(v, f.type, f.nullable, "%s.%s" % (where, f.name))
            if problem:
                return problem
        return None
    return None


def is_record_batch(value):
    t = type(value)
    return t.__name__ == "RecordBatch" and (t.__module__ or "").startswith("pyarrow")


def check_row(row, fields):
    """What Spark's records_to_arrow_batches would say about one yielded element, or None."""
    n = len(fields)
    if hasattr(row, "__len__"):
        try:
            length = len(row)
        except Exception:
            length = None
        if length is not None and length != n:
            return "arity", "a %s of %d value%s, the schema has %d field%s (%s) (DATA_SOURCE_RETURN_SCHEMA_MISMATCH)" % (
                type_name(row), length, "" if length == 1 else "s", n, "" if n == 1 else "s", ", ".join(f.name for f in fields))
    if not isinstance(row, (list, tuple)):
        return "type", "a %s (%s); Spark accepts tuple, list, Row or pyarrow.RecordBatch (DATA_SOURCE_INVALID_RETURN_TYPE)" % (
            type_name(row), short_repr(row, 40))
    names = getattr(row, "__fields__", None) if type(row).__name__ == "Row" else None
    if names is not None:
        if set(names) != set(f.name for f in fields):
            return "names", "a Row with fields %s, the schema has %s (DATA_SOURCE_RETURN_SCHEMA_MISMATCH)" % (
                ", ".join(names), ", ".join(f.name for f in fields))
        by_name = dict(zip(names, tuple(row)))
        values = [by_name[f.name] for f in fields]
    else:
        values = list(row)
    for f, v in zip(fields, values):
        problem = check_value(v, f.type, f.nullable, "`%s`" % f.name)
        if problem:
            return "value", problem
    return None


def value_text(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return short_repr(value, 60)


def row_text(row, limit=100):
    """A yielded row for a message: ``(5, 2024-01-01T00:03:05+00:00, 'ana', 65.25)``."""
    if isinstance(row, tuple) and type(row).__name__ == "Row" and getattr(row, "__fields__", None):
        text = "Row(%s)" % ", ".join("%s=%s" % (k, value_text(v)) for k, v in zip(row.__fields__, tuple(row)))
    elif isinstance(row, (list, tuple)):
        inner = ", ".join(value_text(v) for v in row)
        text = "[%s]" % inner if isinstance(row, list) else "(%s)" % inner
    else:
        text = short_repr(row, limit)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def hashable(value):
    if isinstance(value, (str, bytes, int, float, bool, type(None), decimal.Decimal, datetime.date, datetime.time)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(hashable(v) for v in value)
    if isinstance(value, dict):
        return ("__dict__",) + tuple(sorted((short_repr(k, 200), hashable(v)) for k, v in value.items()))
    try:
        hash(value)
        return value
    except TypeError:
        return repr(value)


def row_key(row):
    if isinstance(row, (list, tuple)):
        return tuple(hashable(v) for v in row)
    return hashable(row)


# --------------------------------------------------------------------------- JSON round trip


def json_changes(value, back, path="offset"):
    """How ``back`` (= json.loads(json.dumps(value))) differs from ``value``."""
    changes = []
    if isinstance(value, tuple) and isinstance(back, list):
        changes.append("%s: the tuple %s comes back as the list %s" % (path, short_repr(value, 40), short_repr(back, 40)))
        for i, (a, b) in enumerate(zip(value, back)):
            changes.extend(json_changes(a, b, "%s[%d]" % (path, i)))
    elif isinstance(value, list) and isinstance(back, list):
        for i, (a, b) in enumerate(zip(value, back)):
            changes.extend(json_changes(a, b, "%s[%d]" % (path, i)))
    elif isinstance(value, dict) and isinstance(back, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                key_back = json.loads(json.dumps({k: None})).popitem()[0]
                changes.append("%s: the key %s (%s) comes back as the string %s" % (path, short_repr(k, 30), type_name(k), json.dumps(key_back)))
            else:
                key_back = k
            if key_back in back:
                changes.extend(json_changes(v, back[key_back], "%s[%s]" % (path, json.dumps(key_back))))
    elif isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        changes.append("%s: %r is written as %s, which is not JSON" % (path, value, json.dumps(value)))
    elif type(value) is not type(back) and not (isinstance(value, bool) or isinstance(back, bool)) and not (
            isinstance(value, numbers.Number) and isinstance(back, numbers.Number) and value == back):
        changes.append("%s: %s comes back as %s" % (path, short_repr(value, 40), short_repr(back, 40)))
    return changes


# --------------------------------------------------------------------------- clock detection


def parse_iso(text):
    if not isinstance(text, str) or len(text) < 10 or not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    candidate = text[:-1] + "+00:00" if text.endswith("Z") else text
    try:
        return datetime.datetime.fromisoformat(candidate)
    except ValueError:
        return None


def leaves(value, path="", depth=0):
    """(path, leaf) pairs of a JSON value; a string holding a JSON object is looked into."""
    if depth > 6:
        return
    if isinstance(value, str) and value[:1] in "{[":
        try:
            inner = json.loads(value)
        except ValueError:
            inner = None
        if isinstance(inner, (dict, list)):
            for item in leaves(inner, path, depth + 1):
                yield item
            return
    if isinstance(value, dict):
        for k, v in value.items():
            for item in leaves(v, "%s[%s]" % (path, json.dumps(k)), depth + 1):
                yield item
    elif isinstance(value, list):
        for i, v in enumerate(value):
            for item in leaves(v, "%s[%d]" % (path, i), depth + 1):
                yield item
    else:
        yield path, value


def clock_evidence(a, b, dt, tolerance):
    """Leaves of two offsets that moved like a clock between the two calls: by less than a second,
    and by about the time that passed (dt seconds, within ``tolerance``). A rounded clock moves by
    whole seconds (or not at all) and a data position by what arrived, so neither matches."""
    la = dict(leaves(a))
    lb = dict(leaves(b))
    evidence = []
    for path, va in la.items():
        if path not in lb or va == lb[path]:
            continue
        vb = lb[path]
        deltas = []
        da, db = parse_iso(va), parse_iso(vb)
        if da is not None and db is not None:
            try:
                deltas.append((db - da).total_seconds())
            except TypeError:
                pass
        elif isinstance(va, (int, float)) and isinstance(vb, (int, float)) and not isinstance(va, bool) and not isinstance(vb, bool):
            raw = vb - va
            deltas.extend(raw * scale for scale in (1.0, 1e-3, 1e-6, 1e-9))
        for d in deltas:
            if 0 < d < 1.0 and abs(d - dt) <= tolerance:
                evidence.append(path or "offset")
                break
    return evidence


# --------------------------------------------------------------------------- source locations


def is_user_file(path, roots):
    if not path or path.startswith("<"):
        return False
    path = os.path.abspath(path)
    if path.startswith(HERE + os.sep):
        return False
    parts = path.replace("\\", "/").split("/")
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return any(path == r or path.startswith(r + os.sep) for r in roots)


def def_line(func):
    """(file, line) of a function's ``def`` (after its decorators)."""
    func = inspect.unwrap(func) if callable(func) else func
    func = getattr(func, "__func__", func)
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    filename, line = code.co_filename, code.co_firstlineno
    name = getattr(func, "__name__", "")
    for offset in range(0, 30):
        text = linecache.getline(filename, line + offset)
        if not text:
            break
        if re.match(r"\s*(async\s+)?def\s+%s\b" % re.escape(name), text):
            return filename, line + offset
    return filename, line


def class_lines(cls):
    try:
        lines, start = inspect.getsourcelines(cls)
        return inspect.getsourcefile(cls), start, start + len(lines) - 1
    except (OSError, TypeError):
        return None


def find_method(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass, klass.__dict__[name]
    return None, None


def user_defines(cls, name, spark_classes):
    klass, _ = find_method(cls, name)
    return klass is not None and klass not in spark_classes and klass is not object


def frames_of(exc, roots):
    frames = traceback.extract_tb(exc.__traceback__)
    return [f for f in frames if is_user_file(f.filename, roots)]


def relative(path, root):
    try:
        rel = os.path.relpath(path, root)
        return path if rel.startswith("..") else rel
    except ValueError:
        return path


def format_traceback(exc, roots, display_root):
    frames = frames_of(exc, roots)
    lines = []
    if frames:
        lines.append("Traceback (most recent call last, your code only):")
        for f in frames:
            lines.append('  File "%s", line %d, in %s' % (relative(f.filename, display_root), f.lineno, f.name))
            if f.line:
                lines.append("    " + f.line.strip())
    lines.extend(part.rstrip("\n") for part in traceback.format_exception_only(type(exc), exc))
    return "\n".join(lines)


# --------------------------------------------------------------------------- pickling


STDLIB_ONLY_FAILURE = re.compile(r"Can't pickle local object|Can't get local object|attribute lookup .* failed|Can't pickle <(function|class) ")


class Shipper(object):
    """Ships an object to an 'executor': cloudpickle with the real pyspark (as Spark does), else
    the standard pickle. What only cloudpickle can handle (lambdas, local classes) is copied with
    copy.deepcopy instead, so it is not reported as unpicklable."""

    def __init__(self, spark):
        self.cloudpickle = spark.cloudpickle

    def pack(self, obj):
        """Returns (make_copy, problem): make_copy() gives a fresh copy; problem says why it cannot travel."""
        try:
            if self.cloudpickle is not None:
                data = self.cloudpickle.dumps(obj, protocol=pickle.DEFAULT_PROTOCOL)
            else:
                data = pickle.dumps(obj, protocol=pickle.DEFAULT_PROTOCOL)
            return (lambda: pickle.loads(data)), None
        except CallTimeout:
            raise
        except Exception as err:
            if self.cloudpickle is None and STDLIB_ONLY_FAILURE.search(str(err)):
                try:
                    copy.deepcopy(obj)
                    return (lambda: copy.deepcopy(obj)), None
                except CallTimeout:
                    raise
                except Exception as deep_err:
                    err = deep_err
            return None, err

    def culprit(self, obj, label, depth=0):
        """The attribute path of the first value that cannot be pickled, with its type."""
        if depth > 3:
            return None
        items = []
        if isinstance(obj, dict):
            items = [("%s[%s]" % (label, short_repr(k, 30)), v) for k, v in obj.items()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            items = [("%s[%d]" % (label, i), v) for i, v in enumerate(obj)]
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            items = [("%s.%s" % (label, k), v) for k, v in vars(obj).items()]
        for path, value in items:
            _, problem = self.pack(value)
            if problem is not None:
                deeper = self.culprit(value, path, depth + 1)
                return deeper or (path, value, problem)
        return None


# --------------------------------------------------------------------------- the dry run


class Stop(Exception):
    """Ends the run (a finding was recorded)."""


class SetupError(Exception):
    def __init__(self, kind, message, **extra):
        Exception.__init__(self, message)
        self.kind = kind
        self.message = message
        self.extra = extra


class DryRun(object):
    def __init__(self, args, channel):
        self.args = args
        self.channel = channel
        self.file = os.path.abspath(args.file)
        self.root = os.path.abspath(args.root or os.getcwd())
        self.roots = sorted({os.path.dirname(self.file), self.root})
        self.findings = []
        self.finding_keys = {}
        self.batches = []
        self.restart = None
        self.stopped = None
        self.error = None
        self.source = {}
        self.schema_fields = None
        self.schema_note = None
        self.initial = None
        self.started = time.time()
        self.spark = None
        self.seen_rows = {}
        self.duplicates = []
        self.tracking_stopped = False
        self.total_rows = 0
        self.task_counter = 0
        self.pds002_done = False
        self.options = Options(parse_options(args))
        self.guard = Guard(args.timeout, self.on_stuck)
        self.reader_cls = None
        self.simple = False

    # ----------------------------------------------------------------- results

    def result(self):
        doc = {
            "protocol": PROTOCOL_VERSION,
            "ok": self.error is None,
            "file": self.file,
            "python": {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3]},
            "pyspark": self.spark.describe() if self.spark else None,
            "source": self.source,
            "schema": schema_ddl(self.schema_fields) if self.schema_fields else None,
            "schemaNote": self.schema_note,
            "options": dict(self.options),
            "optionsAsked": {"required": list(ASKED["required"]), "optional": list(ASKED["optional"])},
            "settings": {"batches": self.args.batches, "interval": self.args.interval, "timeout": self.args.timeout},
            "initialOffset": self.initial,
            "batches": list(self.batches),
            "restart": self.restart,
            "findings": list(self.findings),
            "stopped": self.stopped,
            "rows": self.total_rows,
            "seconds": round(time.time() - self.started, 3),
        }
        if self.error:
            doc["error"] = self.error
        return doc

    def on_stuck(self, what, seconds):
        """Watchdog: the call did not come back even after the alarm. Report and end the process."""
        try:
            method = (what or "").split("(")[0]
            self.add_finding(None, "`%s` did not return within %g s (stuck beyond the per-call timeout; the dry run ended it)" % (what, seconds),
                             severity="error", kind="timeout", method=method, where=self.location_of(method))
            self.stopped = "%s timed out" % what
            self.channel.result(self.result())
        finally:
            os._exit(0)

    def add_finding(self, code, message, severity=None, kind=None, method=None, where=None, batch=None, partition=None,
                    tb=None, details=None, key=None):
        key = key or (code, kind, method, message)
        if key in self.finding_keys:
            f = self.finding_keys[key]
            f["occurrences"] += 1
            if batch is not None and batch not in f["batches"]:
                f["batches"].append(batch)
            return f
        f = {
            "code": code,
            "severity": severity or SEVERITY.get(code, "error"),
            "kind": kind,
            "message": message,
            "method": method,
            "file": where[0] if where else None,
            "line": where[1] if where else None,
            "batch": batch,
            "partition": partition,
            "batches": [batch] if batch is not None else [],
            "occurrences": 1,
            "traceback": tb,
            "details": details or {},
        }
        if where and where[0] and where[1]:
            text = linecache.getline(where[0], where[1])
            f["column"] = len(text) - len(text.lstrip()) + 1 if text.strip() else 1
        if where and len(where) > 2:
            f["classLines"] = [where[2], where[3]]
        self.finding_keys[key] = f
        self.findings.append(f)
        self.channel.event("finding", finding=f)
        return f

    # ----------------------------------------------------------------- locations

    def location_of(self, method, cls=None):
        cls = cls or self.reader_cls
        if cls is None:
            return None
        spark_classes = self.spark_classes()
        klass, func = find_method(cls, method)
        if klass is not None and klass not in spark_classes:
            loc = def_line(func)
            if loc:
                return loc
        lines = class_lines(cls)
        return (lines[0], lines[1]) if lines else None

    def class_location(self, cls):
        lines = class_lines(cls)
        return (lines[0], lines[1]) if lines else None

    def attribute_location(self, cls, attr):
        """Where ``self.<attr> =`` is first assigned in the class (its ``__init__`` first)."""
        pattern = re.compile(r"\bself\.%s\s*(:[^=]*)?=(?!=)" % re.escape(attr))
        methods = []
        for klass in cls.__mro__:
            if klass in self.spark_classes() or klass is object:
                continue
            init = klass.__dict__.get("__init__")
            if init is not None:
                methods.append(init)
            methods.extend(v for k, v in klass.__dict__.items() if k != "__init__" and inspect.isfunction(v))
        for func in methods:
            try:
                lines, start = inspect.getsourcelines(func)
                filename = inspect.getsourcefile(func)
            except (OSError, TypeError):
                continue
            for i, text in enumerate(lines):
                if pattern.search(text):
                    return filename, start + i
        return None

    def spark_classes(self):
        if not self.spark:
            return set()
        ds = self.spark.datasource
        return {getattr(ds, n) for n in dir(ds) if inspect.isclass(getattr(ds, n, None))}

    # ----------------------------------------------------------------- calling user code

    def call(self, what, fn, *args, **kwargs):
        self.channel.event("call", method=what)
        self.guard.start(what)
        try:
            return fn(*args, **kwargs)
        finally:
            self.guard.stop()

    def attempt(self, what, fn, *args, **kwargs):
        """Calls user code; a failure becomes a finding and stops the run."""
        loc_cls = kwargs.pop("_cls", None)
        batch = kwargs.pop("_batch", None)
        partition = kwargs.pop("_partition", None)
        try:
            return self.call(what, fn, *args, **kwargs)
        except CallTimeout as err:
            self.add_finding(None, "`%s` did not return within %g s" % (what, err.seconds), severity="error", kind="timeout",
                             method=what.split("(")[0], where=self.location_of(what.split("(")[0], loc_cls), batch=batch, partition=partition)
            self.stopped = "%s timed out after %g s" % (what, err.seconds)
            raise Stop()
        except Stop:
            raise
        except (Exception, SystemExit) as err:
            self.user_exception(what, err, loc_cls, batch, partition)
            raise Stop()

    def user_exception(self, what, err, cls, batch=None, partition=None):
        method = what.split("(")[0]
        if isinstance(err, KeyError) and err.args and err.args[0] in ASKED["required"]:
            missing = list(ASKED["required"])
            self.error = {
                "kind": "missing-option",
                "message": "the source needs the option%s %s (pass --option %s=VALUE)" % (
                    "" if len(missing) == 1 else "s", ", ".join("`%s`" % k for k in missing), missing[0]),
                "options": missing,
                "traceback": format_traceback(err, self.roots, self.root),
            }
            self.stopped = "missing option"
            return
        frames = frames_of(err, self.roots)
        where = (frames[-1].filename, frames[-1].lineno) if frames else self.location_of(method, cls)
        tb = format_traceback(err, self.roots, self.root)
        text = "%s: %s" % (type(err).__name__, err)
        code = None
        message = "`%s` raised %s" % (what, text)
        at_boundary = not frames or self.raised_at_call(err)
        if is_not_implemented(err):
            if method == "readBetweenOffsets":
                code = "PDS013"
                message = "`readBetweenOffsets` is not implemented: Spark calls it to replay a batch after a restart, and the replay fails (%s)" % text
            else:
                code = "PDS006"
                message = "`%s` is not implemented: Spark calls it and the query fails (%s)" % (method, text)
        elif isinstance(err, TypeError) and at_boundary and re.search(r"positional argument|unexpected keyword argument|required (positional|keyword)", str(err)):
            if method in ("DataSource", "streamReader", "simpleStreamReader"):
                code = "PDS023"
                message = "Spark's call `%s` fails: %s" % (what, text)
            else:
                code = "PDS007"
                message = "Spark's call `%s` fails: %s" % (what, text)
        elif type(err) is NotImplementedError and method == "streamReader":
            code = "PDS023"
            message = "`streamReader` raises the builtin `NotImplementedError`: Spark falls back to `simpleStreamReader` only on `PySparkNotImplementedError`, so the query fails"
        self.add_finding(code, message, severity="error", kind="exception", method=method, where=where, batch=batch,
                         partition=partition, tb=tb, details={"exception": type(err).__name__})
        self.stopped = "%s raised %s" % (method, type(err).__name__)

    def raised_at_call(self, err):
        """True when the exception comes from calling the method itself (its signature), not from
        inside its body."""
        tb = err.__traceback__
        last = None
        while tb is not None:
            last = tb
            tb = tb.tb_next
        return last is not None and os.path.abspath(last.tb_frame.f_code.co_filename) == os.path.abspath(__file__)

    # ----------------------------------------------------------------- setup

    def load(self):
        self.spark = Spark()
        self.channel.event("start", python=sys.version.split()[0], pyspark=self.spark.describe(), file=self.file)
        module = self.import_module()
        cls = self.choose_class(module)
        return module, cls

    def import_module(self):
        path = self.file
        if not os.path.isfile(path):
            raise SetupError("file-not-found", "%s: no such file" % path)
        directory = os.path.dirname(path)
        stem = os.path.splitext(os.path.basename(path))[0]
        package_parts = []
        d = directory
        while os.path.isfile(os.path.join(d, "__init__.py")):
            package_parts.insert(0, os.path.basename(d))
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        sys.path.insert(0, d if package_parts else directory)
        if self.root not in sys.path:
            sys.path.insert(1, self.root)
        try:
            self.guard.start("import")
            try:
                if package_parts and stem != "__init__":
                    name = ".".join(package_parts + [stem])
                    module = importlib.import_module(name)
                else:
                    name = stem if stem.isidentifier() and stem not in sys.modules else "pds_dry_run_user_%d" % abs(hash(path))
                    spec = importlib.util.spec_from_file_location(name, path)
                    module = importlib.util.module_from_spec(spec)
                    sys.modules[name] = module
                    spec.loader.exec_module(module)
            finally:
                self.guard.stop()
        except CallTimeout as err:
            raise SetupError("import-error", "importing %s did not finish within %g s" % (relative(path, self.root), err.seconds))
        except SyntaxError as err:
            raise SetupError("import-error", "%s:%s: SyntaxError: %s" % (relative(err.filename or path, self.root), err.lineno, err.msg),
                             line=err.lineno)
        except ImportError as err:
            missing = self.missing_pyspark(err)
            if missing:
                raise SetupError("pyspark-missing", missing, traceback=format_traceback(err, self.roots, self.root))
            raise SetupError("import-error", "could not import %s: %s: %s" % (relative(path, self.root), type(err).__name__, err),
                             traceback=format_traceback(err, self.roots, self.root))
        except Exception as err:
            missing = self.missing_pyspark(err)
            if missing:
                raise SetupError("pyspark-missing", missing, traceback=format_traceback(err, self.roots, self.root))
            raise SetupError("import-error", "could not import %s: %s: %s" % (relative(path, self.root), type(err).__name__, err),
                             traceback=format_traceback(err, self.roots, self.root))
        return module

    def missing_pyspark(self, err):
        if not self.spark.stand_in:
            return None
        name = getattr(err, "name", None) or ""
        text = str(err)
        what = None
        if isinstance(err, ImportError) and name.split(".")[0] == "pyspark":
            m = re.search(r"cannot import name '([^']+)'", text)
            what = "%s.%s" % (name, m.group(1)) if m else name
        elif "stand-in for pyspark has no" in text:
            m = re.search(r"`([^`]+)`", text)
            what = m.group(1) if m else "more of pyspark"
        if what is None:
            return None
        return ("%s needs `%s`, which pds-lint's stand-in for pyspark does not provide (pyspark is not installed for %s: %s). "
                "Install pyspark for that interpreter, or choose one that has it (--python / pdsLint.pythonPath)." % (
                    relative(self.file, self.root), what, sys.executable, self.spark.missing_reason))

    def candidates(self, module):
        classes = [obj for obj in vars(module).values() if inspect.isclass(obj) and obj.__module__ == module.__name__]
        spark = self.spark
        spark_classes = self.spark_classes()
        sources = [c for c in classes if issubclass(c, spark.DataSource) and (
            user_defines(c, "streamReader", spark_classes) or user_defines(c, "simpleStreamReader", spark_classes))]
        readers = [c for c in classes if issubclass(c, (spark.StreamReader, spark.SimpleReader))
                   and not any(o is not c and issubclass(o, c) for o in classes)]
        return sources, readers

    def choose_class(self, module):
        sources, readers = self.candidates(module)
        names = [c.__name__ for c in sources + readers]
        if self.args.cls:
            obj = module
            for part in self.args.cls.split("."):
                obj = getattr(obj, part, None)
                if obj is None:
                    break
            if obj is None or not inspect.isclass(obj):
                raise SetupError("class-not-found", "%s has no class %s%s" % (
                    relative(self.file, self.root), self.args.cls,
                    " (stream sources here: %s)" % ", ".join(names) if names else " (and no stream source class)"), candidates=names)
            if not issubclass(obj, (self.spark.DataSource, self.spark.StreamReader, self.spark.SimpleReader)):
                raise SetupError("not-a-stream-source", "%s is not a DataSource or a stream reader%s" % (
                    self.args.cls, " (stream sources here: %s)" % ", ".join(names) if names else ""), candidates=names)
            return obj
        pool = sources or readers
        if len(pool) == 1:
            return pool[0]
        if not pool:
            raise SetupError("no-stream-source", "%s defines no DataSource with a stream reader and no stream reader class" % relative(self.file, self.root))
        raise SetupError("ambiguous-class", "%s defines several stream sources (%s): choose one with --class" % (
            relative(self.file, self.root), ", ".join(c.__name__ for c in pool)), candidates=[c.__name__ for c in pool])

    def resolve_schema(self, value, where):
        types = self.spark.types
        if isinstance(value, str):
            try:
                fields = DdlParser(value).parse()
            except SchemaError as err:
                self.schema_note = "the schema %r was not understood by the dry run (%s): rows are not checked" % (value, err)
                return None, value
            return fields, struct_of(types, fields)
        if value is not None and type(value).__name__ == "StructType" and hasattr(value, "fields"):
            return fields_from_struct(value), value
        self.add_finding(None, "`%s` returned %s; Spark wants a DDL string or a StructType (DATA_SOURCE_TYPE_MISMATCH)" % (
            where, short_repr(value, 60)), severity="error", kind="schema", method="schema")
        raise Stop()

    def construct_reader(self, cls, options, schema_struct):
        """A reader class given directly: called with the options and the schema, by parameter name."""
        try:
            params = [p for p in inspect.signature(cls.__init__).parameters.values()][1:]
        except (TypeError, ValueError):
            params = []
        args = []
        kwargs = {}
        unnamed = [options, schema_struct]
        for p in params:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            lname = p.name.lower()
            if "schema" in lname:
                value = schema_struct
            elif lname in ("options", "opts", "option", "config", "conf", "params", "settings", "properties"):
                value = options
            elif p.default is not p.empty:
                continue
            else:
                value = unnamed[0] if len(args) + len(kwargs) == 0 else unnamed[-1]
            if p.kind == p.KEYWORD_ONLY:
                kwargs[p.name] = value
            else:
                args.append(value)
        return cls(*args, **kwargs)

    def stream_reader(self, ds, schema_struct, label):
        """``datasource_internal._streamReader``: streamReader, or simpleStreamReader on PySparkNotImplementedError."""
        spark_classes = self.spark_classes()
        cls = type(ds)
        try:
            reader = self.call("streamReader(schema=...)", ds.streamReader, schema=schema_struct)
            kind = "stream"
        except CallTimeout as err:
            self.add_finding(None, "`streamReader` did not return within %g s" % err.seconds, kind="timeout", method="streamReader",
                             where=self.location_of("streamReader", cls))
            self.stopped = "streamReader timed out"
            raise Stop()
        except Exception as err:
            if not is_not_implemented(err):
                self.user_exception("streamReader(schema=...)", err, cls)
                raise Stop()
            if not user_defines(cls, "simpleStreamReader", spark_classes):
                self.error = {"kind": "no-stream-source", "message": "%s implements neither streamReader nor simpleStreamReader" % cls.__name__}
                raise Stop()
            reader = self.attempt("simpleStreamReader(schema=...)", ds.simpleStreamReader, schema=schema_struct, _cls=cls)
            kind = "simple"
        expected = self.spark.StreamReader if kind == "stream" else self.spark.SimpleReader
        if not isinstance(reader, expected):
            factory = "streamReader" if kind == "stream" else "simpleStreamReader"
            self.add_finding("PDS006", "`%s` returned %s, not a %s" % (factory, short_repr(reader, 60), expected.__name__),
                             kind="wiring", method=factory, where=self.location_of(factory, cls))
            self.stopped = "%s returned the wrong type" % factory
            raise Stop()
        return reader, kind

    def setup(self, cls):
        """Builds what Spark builds before the first batch. Returns (driver_reader, make_task_reader)."""
        spark = self.spark
        if issubclass(cls, spark.DataSource):
            self.source = {"class": cls.__name__, "kind": "DataSource"}
            ds = self.attempt("DataSource(options=...)", cls, options=self.options, _cls=cls)
            method = "DataSource"
            if self.args.schema:
                fields, struct = self.resolve_schema(self.args.schema, "--schema")
            else:
                try:
                    value = self.call("schema()", ds.schema)
                except CallTimeout as err:
                    self.add_finding(None, "`schema` did not return within %g s" % err.seconds, kind="timeout", method="schema",
                                     where=self.location_of("schema", cls))
                    self.stopped = "schema timed out"
                    raise Stop()
                except Exception as err:
                    if is_not_implemented(err):
                        self.error = {"kind": "no-schema", "message": "%s does not implement schema(); pass the schema with --schema DDL (Spark needs it from .schema(...) on the reader)" % cls.__name__}
                        raise Stop()
                    self.user_exception("schema()", err, cls)
                    raise Stop()
                fields, struct = self.resolve_schema(value, "schema")
            self.schema_fields = fields
            make_ds, problem = self.shipper.pack(ds)
            if problem is not None:
                self.unpicklable(ds, cls, problem, "the DataSource", method)
                raise Stop()
            driver_ds = self.attempt("unpickle the DataSource", make_ds, _cls=cls)
            driver, kind = self.stream_reader(driver_ds, struct, "driver")
            self.reader_cls = type(driver)
            self.simple = kind == "simple"
            self.source.update({"reader": type(driver).__name__, "readerKind": "SimpleDataSourceStreamReader" if self.simple else "DataSourceStreamReader"})

            def planning_reader():
                planning_ds = make_ds()
                reader, _ = self.stream_reader(planning_ds, struct, "planning")
                return reader

            loc = self.class_location(cls)
            if loc:
                self.source["line"] = loc[1]
            self.make_ds = make_ds
            self.struct = struct
            return driver, planning_reader
        # A reader class given directly.
        self.reader_cls = cls
        self.simple = issubclass(cls, spark.SimpleReader)
        self.source = {"class": cls.__name__, "kind": "reader", "reader": cls.__name__,
                       "readerKind": "SimpleDataSourceStreamReader" if self.simple else "DataSourceStreamReader"}
        loc = self.class_location(cls)
        if loc:
            self.source["line"] = loc[1]
        fields, struct = None, None
        if self.args.schema:
            fields, struct = self.resolve_schema(self.args.schema, "--schema")
        else:
            fields, struct = self.schema_from_module(cls)
        self.schema_fields = fields
        if fields is None and not self.schema_note:
            self.schema_note = "no schema (pass --schema DDL, or dry-run the DataSource): rows are not checked against one"
        self.struct = struct
        self.make_ds = None
        driver = self.attempt("%s(options, schema)" % cls.__name__, self.construct_reader, cls, self.options, struct, _cls=cls)
        return driver, lambda: self.attempt("%s(options, schema)" % cls.__name__, self.construct_reader, cls, self.options, struct, _cls=cls)

    def schema_from_module(self, reader_cls):
        """For a reader given directly: the schema of the module's only DataSource that has one."""
        module = sys.modules.get(reader_cls.__module__)
        if module is None:
            return None, None
        found = []
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, self.spark.DataSource) and obj.__module__ == module.__name__ and \
                    user_defines(obj, "schema", self.spark_classes()):
                try:
                    value = self.call("schema()", obj(options=self.options).schema)
                except CallTimeout:
                    continue
                except Exception:
                    continue
                found.append((obj, value))
        if len(found) != 1:
            return None, None
        self.source["schemaFrom"] = found[0][0].__name__
        return self.resolve_schema(found[0][1], "schema")

    def unpicklable(self, obj, cls, problem, what, method):
        culprit = self.shipper.culprit(obj, "partition" if method == "partitions" else "self")
        where = None
        if culprit:
            path, value, err = culprit
            attr = path.split(".")[1].split("[")[0] if path.startswith("self.") else None
            if attr:
                where = self.attribute_location(cls, attr)
            detail = "`%s` (%s) cannot be pickled: %s" % (path, type_name(value), err)
        else:
            detail = "%s: %s" % (type(problem).__name__, problem)
        if where is None:
            where = self.location_of("__init__", cls) if method != "partitions" else self.location_of("partitions")
        message = "%s cannot be pickled, as Spark does to send it to the executors: %s" % (what, detail)
        self.add_finding("PDS009", message, kind="pickle", method=method, where=where, details={"object": what})
        self.stopped = "%s cannot be pickled" % what

    # ----------------------------------------------------------------- offsets

    def roundtrip(self, value, producer, batch=None, simple_end=False):
        """json.dumps / json.loads as the checkpoint does. Returns (json_text, value_back)."""
        try:
            text = json.dumps(value)
        except (TypeError, ValueError) as err:
            self.add_finding("PDS003", "`%s` returned %s, which `json.dumps` cannot write (%s: %s): Spark fails the query (PYTHON_STREAMING_DATA_SOURCE_RUNTIME_ERROR)" % (
                producer, short_repr(value, 60), type(err).__name__, err), severity="error", kind="json", method=producer,
                where=self.location_of(producer), batch=batch)
            self.stopped = "the offset from %s is not JSON" % producer
            raise Stop()
        back = json.loads(text)
        changes = json_changes(value, back)
        if changes:
            if simple_end and value != back:
                message = "`read` returned a next offset that changes through JSON (%s): Spark's simple-reader wrapper asserts the offset equals its JSON round trip, so planning fails with AssertionError" % "; ".join(changes[:3])
                severity = "error"
            else:
                message = "the offset from `%s` changes through Spark's JSON checkpoint: %s" % (producer, "; ".join(changes[:3]))
                severity = "warning"
            self.add_finding("PDS003", message, severity=severity, kind="json", method=producer, where=self.location_of(producer),
                             batch=batch, key=("PDS003", producer, tuple(changes[:3])))
        return text, back

    def latest(self, reader, start, batch):
        """latestOffset, twice in a row as Spark may call it within one batch; a clock that moves
        between the calls is PDS002."""
        arity = 0
        try:
            # Spark 4.2 calls latestOffset(start, limit) when the method takes them (with or
            # without defaults); the stand-in is 4.2, a real pyspark older than 4.2 has no
            # ReadAllAvailable and calls latestOffset() as 4.0/4.1 do.
            params = [p for p in inspect.signature(reader.latestOffset).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            arity = len(params)
        except (TypeError, ValueError):
            pass
        args = ()
        label = "latestOffset()"
        if arity >= 2 and self.spark.ReadAllAvailable is not None:
            limit = None
            if user_defines(type(reader), "getDefaultReadLimit", self.spark_classes()):
                limit = self.attempt("getDefaultReadLimit()", reader.getDefaultReadLimit, _batch=batch)
            args = (start, limit if limit is not None else self.spark.ReadAllAvailable())
            label = "latestOffset(start, limit)"

        def timed():
            t0 = time.perf_counter()
            value = self.attempt(label, reader.latestOffset, *args, _batch=batch)
            t1 = time.perf_counter()
            text, back = self.roundtrip(value, "latestOffset", batch)
            return text, back, t0, t1

        j1, v1, a0, a1 = timed()
        j2, v2, b0, b1 = timed()
        if j1 == j2 or self.pds002_done:
            return j2, v2
        dt = (b0 + b1) / 2 - (a0 + a1) / 2
        evidence = clock_evidence(v1, v2, dt, (a1 - a0 + b1 - b0) / 2 + 5e-5)
        if not evidence:
            return j2, v2
        time.sleep(0.03)
        j3, v3, c0, c1 = timed()
        time.sleep(0.03)
        j4, v4, d0, d1 = timed()
        dt2 = (d0 + d1) / 2 - (c0 + c1) / 2
        again = clock_evidence(v3, v4, dt2, (c1 - c0 + d1 - d0) / 2 + 5e-5)
        if j3 != j4 and again:
            self.pds002_done = True
            self.add_finding("PDS002", "`latestOffset` moved between two calls with no new data in between: %s, then %s %s later (the value at %s follows the wall clock below the second). Spark compares offsets as JSON, so every trigger sees new data; round the clock (e.g. `.replace(microsecond=0)`) or derive the offset from the data" % (
                j1, j2, "%.0f \u00b5s" % (dt * 1e6) if dt < 1e-3 else "%.1f ms" % (dt * 1e3), ", ".join("`%s`" % p for p in evidence)), kind="nondeterministic", method="latestOffset",
                where=self.location_of("latestOffset"), batch=batch, details={"calls": [j1, j2, j3, j4]})
        return j4, v4

    # ----------------------------------------------------------------- rows

    def take_rows(self, output, batch, partition, method):
        """Iterates what read() returned, checking each row. Returns the row count."""
        count = 0
        fields = self.schema_fields
        first = True
        for row in output:
            if first and is_record_batch(row):
                return self.take_record_batches(row, output, batch, partition, method)
            first = False
            count += 1
            if fields is not None:
                problem = check_row(row, fields)
                if problem:
                    kind, text = problem
                    self.add_finding("PDS021", "`%s` yielded %s" % (method, text) if kind in ("arity", "type", "names") else "`%s` yielded a row Spark rejects: %s" % (method, text),
                                     kind="row-%s" % kind, method=method, where=self.location_of(method), batch=batch, partition=partition,
                                     key=("PDS021", method, kind), details={"row": row_text(row, 200)})
            self.track(row, batch, partition)
        return count

    def take_record_batches(self, first, output, batch, partition, method):
        count = 0
        fields = self.schema_fields
        if fields is not None:
            names = list(first.schema.names)
            if first.num_columns != len(fields) or any(f.name not in names for f in fields):
                self.add_finding("PDS021", "`%s` yielded a pyarrow.RecordBatch with columns %s, the schema has %s (DATA_SOURCE_RETURN_SCHEMA_MISMATCH)" % (
                    method, ", ".join(names), ", ".join(f.name for f in fields)), kind="row-arity", method=method,
                    where=self.location_of(method), batch=batch, partition=partition, key=("PDS021", method, "batch"))
        for rb in [first] + list(output):
            count += rb.num_rows
            order = [f.name for f in fields] if fields else list(rb.schema.names)
            for record in rb.to_pylist():
                self.track(tuple(record.get(n) for n in order), batch, partition)
        return count

    def track(self, row, batch, partition):
        self.total_rows += 1
        if self.tracking_stopped:
            return
        if len(self.seen_rows) >= MAX_TRACKED_ROWS:
            self.tracking_stopped = True
            return
        key = row_key(row)
        place = (batch, partition)
        seen = self.seen_rows.get(key)
        if seen is None:
            self.seen_rows[key] = [place]
        elif place not in seen:
            self.duplicates.append((row_text(row), seen[0], place))
            seen.append(place)

    def report_duplicates(self):
        if not self.duplicates:
            return
        if self.simple and any(f["code"] == "PDS014" for f in self.findings):
            return  # the rows repeat because the offset did not advance: PDS014 says so
        method = "read" if self.simple else "partitions"
        distinct = len({d[0] for d in self.duplicates})

        def place(p):
            b, part = p
            if b == "restart":
                return "after the restart"
            return "batch %s" % b if part is None else "batch %s partition %s" % (b, part)

        examples = ["%s in %s and %s" % (row, place(a), place(b)) for row, a, b in self.duplicates[:3]]
        if len(self.duplicates) > 3:
            examples.append("and %d more" % (len(self.duplicates) - 3))
        across_batches = any(a[0] != b[0] for _, a, b in self.duplicates)
        within = any(a[0] == b[0] for _, a, b in self.duplicates)
        how = "consecutive %s share their boundary" % (
            "partitions and batches" if across_batches and within else "batches" if across_batches else "partitions")
        message = "%d row%s returned twice (compared by value): %s. The ranges of %s, and both ends are read" % (
            distinct, " was" if distinct == 1 else "s were", "; ".join(examples), how)
        if self.simple:
            message = "%d row%s returned again in a later batch (compared by value): %s. `read(start)` includes the row at `start`" % (
                distinct, " was" if distinct == 1 else "s were", "; ".join(examples))
        cls_loc = class_lines(self.reader_cls) if self.reader_cls else None
        where = self.location_of(method)
        if where and cls_loc:
            where = (where[0], where[1], cls_loc[1], cls_loc[2])
        self.add_finding("PDS001", message, kind="duplicate-rows", method=method, where=where,
                         details={"duplicates": [{"row": r, "first": list(a), "again": list(b)} for r, a, b in self.duplicates[:20]],
                                  "count": len(self.duplicates)})

    # ----------------------------------------------------------------- the loops

    def run(self):
        try:
            _, cls = self.load()
        except SetupError as err:
            self.error = dict({"kind": err.kind, "message": err.message}, **err.extra)
            return
        self.shipper = Shipper(self.spark)
        try:
            driver, planning = self.setup(cls)
            if self.simple:
                self.run_simple(driver, planning)
            else:
                self.run_stream(driver, planning)
        except Stop:
            pass
        finally:
            self.spark.set_task_context(None, None, None)
        self.report_duplicates()

    def ship_reader(self, planning):
        reader = planning()
        make_copy, problem = self.shipper.pack(reader)
        if problem is not None:
            self.unpicklable(reader, type(reader), problem, "the reader", "__init__")
            raise Stop()
        return make_copy

    def run_stream(self, driver, planning):
        self.planning = planning
        initial = self.attempt("initialOffset()", driver.initialOffset)
        j_start, start = self.roundtrip(initial, "initialOffset")
        self.initial = j_start
        make_task_reader = None
        last_end = None
        for b in range(1, self.args.batches + 1):
            if b > 1 and self.args.interval > 0:
                self.channel.event("sleep", seconds=self.args.interval)
                time.sleep(self.args.interval)
            self.channel.event("batch-start", batch=b, batches=self.args.batches)
            t0 = time.perf_counter()
            record = {"batch": b, "start": j_start, "end": None, "status": "failed", "partitions": 0, "rows": 0,
                      "partitionRows": [], "partitionSeconds": [], "seconds": 0}
            self.batches.append(record)
            try:
                j_end, end = self.latest(driver, start, b)
                record["end"] = j_end
                if j_end == j_start:
                    record["status"] = "no-new-data"
                    continue
                parts = self.attempt("partitions(start, end)", driver.partitions, start, end, _batch=b)
                try:
                    n = len(parts)
                except TypeError:
                    self.add_finding(None, "`partitions` returned a %s: Spark calls `len()` on it, so it must be a list (TypeError)" % type_name(parts),
                                     kind="partitions", method="partitions", where=self.location_of("partitions"), batch=b)
                    self.stopped = "partitions did not return a list"
                    raise Stop()
                parts = list(parts)
                record["partitions"] = n
                bad = [p for p in parts if p is not None and not isinstance(p, self.spark.InputPartition)]
                if bad:
                    self.add_finding(None, "`partitions` returned %s, not InputPartition objects: Spark's executor asserts `isinstance(partition, InputPartition)` (AssertionError)" % short_repr(bad[0], 60),
                                     kind="partitions", method="partitions", where=self.location_of("partitions"), batch=b)
                    self.stopped = "partitions returned non-InputPartition values"
                    raise Stop()
                if make_task_reader is None:
                    make_task_reader = self.ship_reader(planning)
                shipped = []
                for i, p in enumerate(parts, 1):
                    make_part, problem = self.shipper.pack(p)
                    if problem is not None:
                        self.unpicklable(p, self.reader_cls, problem, "the partition %s returned by `partitions`" % short_repr(p, 60), "partitions")
                        raise Stop()
                    shipped.append(make_part)
                for i, make_part in enumerate(shipped, 1):
                    task_reader = self.attempt("unpickle the reader", make_task_reader, _batch=b)
                    partition = self.attempt("unpickle the partition", make_part, _batch=b)
                    self.task_counter += 1
                    self.spark.set_task_context(b, i - 1, self.task_counter)
                    p0 = time.perf_counter()
                    rows = self.attempt("read(partition)", self.read_partition, task_reader, partition, b, i, _batch=b, _partition=i)
                    record["partitionSeconds"].append(round(time.perf_counter() - p0, 6))
                    self.spark.set_task_context(None, None, None)
                    record["partitionRows"].append(rows)
                    record["rows"] += rows
                self.attempt("commit(end)", driver.commit, end, _batch=b)
                record["status"] = "ok"
                last_end = end
                j_start, start = j_end, end
            finally:
                record["seconds"] = round(time.perf_counter() - t0, 6)
                self.channel.event("batch", record=record)
        if last_end is not None:
            self.restart_check(last_end)
        try:
            self.call("stop()", driver.stop)
        except CallTimeout:
            pass
        except Exception as err:
            self.user_exception("stop()", err, self.reader_cls)

    def read_partition(self, reader, partition, batch, index):
        output = reader.read(partition)
        if not isinstance(output, collections.abc.Iterator):
            self.add_finding("PDS021", "`read` returned a %s, not an iterator: Spark fails the task (DATA_SOURCE_INVALID_RETURN_TYPE); `yield` the rows or return `iter(...)`" % type_name(output),
                             kind="read-returns", method="read", where=self.location_of("read"), batch=batch, partition=index,
                             key=("PDS021", "read", "returns"))
            try:
                output = iter(output)
            except TypeError:
                return 0
        return self.take_rows(output, batch, index, "read")

    def restart_check(self, last_end):
        """Spark 4.0/4.1 call partitions(end, end) on a fresh driver reader when a query restarts."""
        try:
            reader = self.planning()
            parts = self.attempt("partitions(end, end) after a restart", reader.partitions, last_end, last_end, _cls=type(reader))
            try:
                n = len(parts)
            except TypeError:
                n = None
            self.restart = {"offset": json.dumps(last_end), "partitions": n}
        except Stop:
            self.restart = {"offset": json.dumps(last_end), "failed": True}

    def run_simple(self, driver, planning):
        """The 4.0/4.1 simple-reader wrapper (prefetch with read(start) on the driver, cache,
        readBetweenOffsets on a pickled copy for a replay), with the 4.2 'offset did not advance'
        check."""
        initial = self.attempt("initialOffset()", driver.initialOffset)
        j_start, start = self.roundtrip(initial, "initialOffset")
        self.initial = j_start
        make_task_reader = None
        replay_checked = False
        for b in range(1, self.args.batches + 1):
            if b > 1 and self.args.interval > 0:
                self.channel.event("sleep", seconds=self.args.interval)
                time.sleep(self.args.interval)
            self.channel.event("batch-start", batch=b, batches=self.args.batches)
            t0 = time.perf_counter()
            record = {"batch": b, "start": j_start, "end": None, "status": "failed", "partitions": 0, "rows": 0,
                      "partitionRows": [], "partitionSeconds": [], "seconds": 0}
            self.batches.append(record)
            try:
                p0 = time.perf_counter()
                returned = self.attempt("read(start)", driver.read, start, _batch=b)
                if not (isinstance(returned, tuple) and len(returned) == 2):
                    self.add_finding(None, "`read(start)` returned %s; a simple reader returns a pair (rows iterator, next offset)" % short_repr(returned, 60),
                                     kind="simple-read", method="read", where=self.location_of("read"), batch=b)
                    self.stopped = "read did not return (rows, offset)"
                    raise Stop()
                iterator, end_value = returned
                j_end, end = self.roundtrip(end_value, "read", b, simple_end=True)
                record["end"] = j_end
                try:
                    copy.copy(iterator)
                except CallTimeout:
                    raise
                except Exception as err:
                    self.add_finding("PDS022", "`read(start)` returned a %s as its rows: Spark's wrapper caches it with `copy.copy`, which fails (%s: %s); return `iter(list(...))`" % (
                        type_name(iterator), type(err).__name__, err), kind="simple-iterator", method="read", where=self.location_of("read"), batch=b,
                        key=("PDS022", "copy"))
                rows_list = self.attempt("iterate the rows from read(start)", list, iterator, _batch=b)
                advanced = j_end != j_start
                if not advanced and rows_list:
                    self.add_finding("PDS014", "`read(start)` returned %d row%s with the next offset equal to `start` (%s): Spark 4.2 fails with SIMPLE_STREAM_READER_OFFSET_DID_NOT_ADVANCE, earlier versions return these rows on every trigger" % (
                        len(rows_list), "" if len(rows_list) == 1 else "s", j_end), kind="offset-not-advanced", method="read",
                        where=self.location_of("read"), batch=b, key=("PDS014",))
                if not advanced and not rows_list and not isinstance(iterator, collections.abc.Iterator):
                    self.add_finding("PDS022", "`read(start)` returned an empty %s with an unchanged offset: Spark 4.2 calls `next()` on it (TypeError); return `iter([])`" % type_name(iterator),
                                     kind="simple-iterator", method="read", where=self.location_of("read"), batch=b, key=("PDS022", "next"))
                count = self.take_rows(iter(rows_list), b, None, "read")
                record["partitionSeconds"].append(round(time.perf_counter() - p0, 6))
                if not advanced and not rows_list:
                    record["status"] = "no-new-data"
                    continue
                record["partitions"] = 1
                record["partitionRows"].append(count)
                record["rows"] = count
                if make_task_reader is None:
                    make_task_reader = self.ship_reader(planning)
                if not replay_checked:
                    replay_checked = True
                    self.check_replay(make_task_reader, start, end, rows_list, b)
                self.attempt("commit(end)", driver.commit, end, _batch=b)
                record["status"] = "ok"
                j_start, start = j_end, end
            finally:
                record["seconds"] = round(time.perf_counter() - t0, 6)
                self.channel.event("batch", record=record)

    def check_replay(self, make_task_reader, start, end, rows, batch):
        """A replayed batch: readBetweenOffsets(start, end) on an executor's copy must return the same rows."""
        reader = self.attempt("unpickle the reader", make_task_reader, _batch=batch)
        reader_cls = type(reader)
        if not user_defines(reader_cls, "readBetweenOffsets", self.spark_classes()):
            self.add_finding("PDS013", "`readBetweenOffsets` is not implemented: Spark calls it to replay a batch after a restart (on an executor), and the replay fails with NOT_IMPLEMENTED",
                             kind="replay", method="readBetweenOffsets", where=self.class_location(reader_cls), batch=batch)
            return
        self.task_counter += 1
        self.spark.set_task_context(batch, 0, self.task_counter)
        try:
            output = self.attempt("readBetweenOffsets(start, end)", reader.readBetweenOffsets, start, end, _batch=batch)
            if not isinstance(output, collections.abc.Iterator):
                self.add_finding("PDS021", "`readBetweenOffsets` returned a %s, not an iterator: Spark fails the replayed batch (DATA_SOURCE_INVALID_RETURN_TYPE)" % type_name(output),
                                 kind="read-returns", method="readBetweenOffsets", where=self.location_of("readBetweenOffsets"), batch=batch)
                try:
                    output = iter(output)
                except TypeError:
                    return
            replayed = self.attempt("iterate readBetweenOffsets(start, end)", list, output, _batch=batch)
        finally:
            self.spark.set_task_context(None, None, None)
        if self.schema_fields is not None:
            for row in replayed:
                problem = check_row(row, self.schema_fields)
                if problem:
                    self.add_finding("PDS021", "`readBetweenOffsets` yielded %s" % problem[1], kind="row-%s" % problem[0],
                                     method="readBetweenOffsets", where=self.location_of("readBetweenOffsets"), batch=batch,
                                     key=("PDS021", "readBetweenOffsets", problem[0]))
                    break
        a = collections.Counter(row_key(r) for r in rows)
        r = collections.Counter(row_key(x) for x in replayed)
        if a != r:
            missing = sum((a - r).values())
            extra = sum((r - a).values())
            self.add_finding("PDS013", "`readBetweenOffsets(start, end)` does not return the rows `read(start)` returned for the same range (%d missing, %d extra): a batch replayed after a restart would differ" % (missing, extra),
                             kind="replay", method="readBetweenOffsets", where=self.location_of("readBetweenOffsets"), batch=batch)


def parse_options(args):
    values = {}
    if args.options_json:
        loaded = json.loads(args.options_json)
        if not isinstance(loaded, dict):
            raise SystemExit("--options-json must be a JSON object")
        values.update({str(k): str(v) for k, v in loaded.items()})
    for item in args.option or []:
        if "=" not in item:
            raise SystemExit("--option %r is not KEY=VALUE" % item)
        key, value = item.split("=", 1)
        values[key] = value
    return values


def main(argv=None):
    parser = argparse.ArgumentParser(prog="pds_dry_run", description="Dry-run a PySpark streaming data source without Spark.")
    parser.add_argument("file")
    parser.add_argument("--class", dest="cls")
    parser.add_argument("--option", action="append", metavar="KEY=VALUE")
    parser.add_argument("--options-json")
    parser.add_argument("--schema")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--root")
    parser.add_argument("--protocol", choices=["events", "json"], default="events")
    args = parser.parse_args(argv)
    if args.batches < 1 or args.timeout <= 0 or args.interval < 0:
        parser.error("--batches must be at least 1, --timeout positive, --interval not negative")
    channel = Channel(args.protocol)
    run = DryRun(args, channel)
    try:
        run.run()
    except CallTimeout as err:
        run.add_finding(None, "`%s` did not return within %g s" % (err.what, err.seconds), kind="timeout", method=err.what)
        run.stopped = "%s timed out" % err.what
    except Stop:
        pass
    except BaseException as err:  # the harness's own failure: still write a result
        run.error = {"kind": "internal", "message": "the dry-run harness failed: %s: %s" % (type(err).__name__, err),
                     "traceback": traceback.format_exc()}
    channel.result(run.result())
    sys.stderr.flush()
    return 0


if __name__ == "__main__":
    # Importable by name, so pickled Options refer to this module (not __main__, which
    # cloudpickle would copy by value).
    sys.modules.setdefault("pds_dry_run", sys.modules["__main__"])
    Options.__module__ = "pds_dry_run"
    if sys.version_info < (3, 8):
        sys.stdout.write(json.dumps({"event": "result", "result": {"protocol": PROTOCOL_VERSION, "ok": False, "error": {
            "kind": "python-too-old", "message": "the dry run needs Python 3.8 or later, not %s" % sys.version.split()[0]}}}) + "\n")
        sys.exit(0)
    sys.exit(main())
