"""``pyspark.sql.types`` of the stand-in: the data types a schema is built from, and ``Row``."""

__all__ = [
    "DataType", "NullType", "StringType", "CharType", "VarcharType", "BinaryType", "BooleanType",
    "DateType", "TimestampType", "TimestampNTZType", "DecimalType", "DoubleType", "FloatType",
    "ByteType", "IntegerType", "LongType", "ShortType", "ArrayType", "MapType", "StructField",
    "StructType", "VariantType", "Row",
]


class DataType(object):
    def __repr__(self):
        return self.__class__.__name__ + "()"

    def __hash__(self):
        return hash(str(self))

    def __eq__(self, other):
        return isinstance(other, self.__class__) and self.__dict__ == other.__dict__

    def __ne__(self, other):
        return not self.__eq__(other)

    @classmethod
    def typeName(cls):
        return cls.__name__[:-4].lower()

    def simpleString(self):
        return self.typeName()

    def jsonValue(self):
        return self.typeName()


class NullType(DataType):
    @classmethod
    def typeName(cls):
        return "void"


class AtomicType(DataType):
    pass


class NumericType(AtomicType):
    pass


class IntegralType(NumericType):
    pass


class FractionalType(NumericType):
    pass


class StringType(AtomicType):
    def __init__(self, collation=None):
        self.collation = collation


class CharType(AtomicType):
    def __init__(self, length):
        self.length = length

    def simpleString(self):
        return "char(%d)" % self.length


class VarcharType(AtomicType):
    def __init__(self, length):
        self.length = length

    def simpleString(self):
        return "varchar(%d)" % self.length


class BinaryType(AtomicType):
    pass


class BooleanType(AtomicType):
    pass


class DateType(AtomicType):
    pass


class TimestampType(AtomicType):
    pass


class TimestampNTZType(AtomicType):
    @classmethod
    def typeName(cls):
        return "timestamp_ntz"


class DecimalType(FractionalType):
    def __init__(self, precision=10, scale=0):
        self.precision = precision
        self.scale = scale

    def simpleString(self):
        return "decimal(%d,%d)" % (self.precision, self.scale)

    def __repr__(self):
        return "DecimalType(%d,%d)" % (self.precision, self.scale)


class DoubleType(FractionalType):
    pass


class FloatType(FractionalType):
    pass


class ByteType(IntegralType):
    def simpleString(self):
        return "tinyint"


class IntegerType(IntegralType):
    def simpleString(self):
        return "int"


class LongType(IntegralType):
    def simpleString(self):
        return "bigint"


class ShortType(IntegralType):
    def simpleString(self):
        return "smallint"


class VariantType(AtomicType):
    pass


class ArrayType(DataType):
    def __init__(self, elementType, containsNull=True):
        self.elementType = elementType
        self.containsNull = containsNull

    def simpleString(self):
        return "array<%s>" % self.elementType.simpleString()

    def __repr__(self):
        return "ArrayType(%r, %s)" % (self.elementType, self.containsNull)


class MapType(DataType):
    def __init__(self, keyType, valueType, valueContainsNull=True):
        self.keyType = keyType
        self.valueType = valueType
        self.valueContainsNull = valueContainsNull

    def simpleString(self):
        return "map<%s,%s>" % (self.keyType.simpleString(), self.valueType.simpleString())

    def __repr__(self):
        return "MapType(%r, %r, %s)" % (self.keyType, self.valueType, self.valueContainsNull)


_SIMPLE_NAMES = {
    "string": StringType, "binary": BinaryType, "boolean": BooleanType, "date": DateType,
    "timestamp": TimestampType, "timestamp_ntz": TimestampNTZType, "double": DoubleType,
    "float": FloatType, "byte": ByteType, "tinyint": ByteType, "integer": IntegerType,
    "int": IntegerType, "long": LongType, "bigint": LongType, "short": ShortType,
    "smallint": ShortType, "void": NullType, "null": NullType, "variant": VariantType,
    "decimal": DecimalType,
}


def _simple_type(name):
    cls = _SIMPLE_NAMES.get(name.strip().lower())
    if cls is None:
        raise ValueError(
            "pds-lint's stand-in for pyspark understands simple type names only here, not %r "
            "(pass a DataType object, or install pyspark)" % name
        )
    return cls()


class StructField(DataType):
    def __init__(self, name, dataType, nullable=True, metadata=None):
        self.name = name
        self.dataType = dataType
        self.nullable = nullable
        self.metadata = metadata or {}

    def simpleString(self):
        return "%s:%s" % (self.name, self.dataType.simpleString())

    def __repr__(self):
        return "StructField(%r, %r, %s)" % (self.name, self.dataType, self.nullable)


class StructType(DataType):
    def __init__(self, fields=None):
        self.fields = list(fields or [])
        self.names = [f.name for f in self.fields]

    def add(self, field, data_type=None, nullable=True, metadata=None):
        if isinstance(field, StructField):
            self.fields.append(field)
        else:
            if isinstance(data_type, str):
                data_type = _simple_type(data_type)
            self.fields.append(StructField(field, data_type, nullable, metadata))
        self.names = [f.name for f in self.fields]
        return self

    def fieldNames(self):
        return list(self.names)

    def __iter__(self):
        return iter(self.fields)

    def __len__(self):
        return len(self.fields)

    def __getitem__(self, key):
        if isinstance(key, str):
            for f in self.fields:
                if f.name == key:
                    return f
            raise KeyError("No StructField named %s" % key)
        if isinstance(key, int):
            return self.fields[key]
        if isinstance(key, slice):
            return StructType(self.fields[key])
        raise TypeError("StructType keys should be strings, integers or slices")

    def simpleString(self):
        return "struct<%s>" % ",".join(f.simpleString() for f in self.fields)

    def __repr__(self):
        return "StructType([%s])" % ", ".join(repr(f) for f in self.fields)


class Row(tuple):
    """A row: positional (``Row(1, "a")``) or named (``Row(id=1, name="a")``)."""

    def __new__(cls, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Can not use both args and kwargs to create Row")
        if kwargs:
            row = tuple.__new__(cls, list(kwargs.values()))
            row.__fields__ = list(kwargs.keys())
            return row
        return tuple.__new__(cls, args)

    def asDict(self, recursive=False):
        if not hasattr(self, "__fields__"):
            raise TypeError("Cannot convert a Row class into dict")
        return dict(zip(self.__fields__, self))

    def __contains__(self, item):
        if hasattr(self, "__fields__"):
            return item in self.__fields__
        return tuple.__contains__(self, item)

    def __call__(self, *args):
        row = tuple.__new__(Row, args)
        row.__fields__ = list(self)
        return row

    def __getitem__(self, item):
        if isinstance(item, (int, slice)):
            return tuple.__getitem__(self, item)
        try:
            idx = self.__fields__.index(item)
            return tuple.__getitem__(self, idx)
        except (IndexError, AttributeError, ValueError):
            raise KeyError(item)

    def __getattr__(self, item):
        if item.startswith("__"):
            raise AttributeError(item)
        try:
            idx = self.__fields__.index(item)
            return self[idx]
        except (IndexError, AttributeError, ValueError):
            raise AttributeError(item)

    def __setattr__(self, key, value):
        if key != "__fields__":
            raise RuntimeError("Row is read-only")
        self.__dict__[key] = value

    def __reduce__(self):
        if hasattr(self, "__fields__"):
            return (_create_row, (self.__fields__, tuple(self)))
        return tuple.__reduce__(self)

    def __repr__(self):
        if hasattr(self, "__fields__"):
            return "Row(%s)" % ", ".join("%s=%r" % (k, v) for k, v in zip(self.__fields__, tuple(self)))
        return "<Row(%s)>" % ", ".join(repr(field) for field in self)


def _create_row(fields, values):
    row = Row(*values)
    row.__fields__ = fields
    return row


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "pds-lint's stand-in for pyspark has no `pyspark.sql.types.%s` (install pyspark to dry-run a source that uses it)" % name
    )
