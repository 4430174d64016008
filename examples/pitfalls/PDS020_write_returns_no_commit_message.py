"""Pitfall PDS020: the seed's writer returns nothing from write().

Spark's write worker requires a WriterCommitMessage instance and fails every task with
DATA_SOURCE_TYPE_MISMATCH. End write() with `return WriterCommitMessage()` (the quick fix does
this and adds the import).
"""
import hashlib
import json

from pyspark import TaskContext
from pyspark.sql.datasource import DataSource, DataSourceStreamWriter


class IdempotentStreamWriter(DataSourceStreamWriter):
    def __init__(self, options):
        self.url = options.get("url")

    def write(self, iterator):
        import requests

        partition_id = TaskContext.get().partitionId()
        for row in iterator:
            row_dict = row.asDict()
            key_data = json.dumps({"partition": partition_id, "row": row_dict}, sort_keys=True, default=str)
            idempotency_key = hashlib.sha256(key_data.encode()).hexdigest()
            requests.post(
                self.url,
                json={"data": row_dict, "idempotency_key": idempotency_key},
                timeout=30,
            ).raise_for_status()

    def commit(self, messages, batchId):
        pass

    def abort(self, messages, batchId):
        pass


class IdempotentSink(DataSource):
    @classmethod
    def name(cls):
        return "idempotent_sink"

    def streamWriter(self, schema, overwrite):
        return IdempotentStreamWriter(self.options)
