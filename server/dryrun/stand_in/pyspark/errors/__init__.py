"""The pyspark exception classes a data source raises or catches."""


class PySparkException(Exception):
    def __init__(self, message=None, errorClass=None, messageParameters=None, **kwargs):
        self._errorClass = errorClass or kwargs.get("error_class")
        self._messageParameters = messageParameters or kwargs.get("message_parameters") or {}
        if message is None:
            if self._errorClass == "NOT_IMPLEMENTED" and "feature" in self._messageParameters:
                message = "%s is not implemented." % self._messageParameters["feature"]
            else:
                message = "[%s] %s" % (self._errorClass, self._messageParameters) if self._errorClass else ""
        super().__init__(message)

    def getErrorClass(self):
        return self._errorClass

    def getCondition(self):
        return self._errorClass

    def getMessageParameters(self):
        return self._messageParameters


class PySparkNotImplementedError(PySparkException, NotImplementedError):
    pass


class PySparkValueError(PySparkException, ValueError):
    pass


class PySparkTypeError(PySparkException, TypeError):
    pass


class PySparkRuntimeError(PySparkException, RuntimeError):
    pass


class PySparkAssertionError(PySparkException, AssertionError):
    pass


class PySparkKeyError(PySparkException, KeyError):
    pass


class PySparkAttributeError(PySparkException, AttributeError):
    pass


class PySparkIndexError(PySparkException, IndexError):
    pass


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        "pds-lint's stand-in for pyspark has no `pyspark.errors.%s` (install pyspark to dry-run a source that uses it)" % name
    )
