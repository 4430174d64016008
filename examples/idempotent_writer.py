"""A streaming writer whose retries do not duplicate rows in the target.

`write()` runs on executors and can run more than once for the same rows (a task retry, a batch
replayed after a restart). Each row is sent with an idempotency key derived only from the
partition id and the row itself, so a retry sends the same key and the target drops the
duplicate (PDS004, PDS011). Every response is checked, so a failed send fails the task instead
of being recorded as written (PDS012), and `write()` returns a `WriterCommitMessage`, which
Spark requires (PDS020; the seed's writer returns nothing and every task fails).

The target must honour the key: an `Idempotency-Key` header or an upsert on the key.
"""
import hashlib
import json

from pyspark import TaskContext
from pyspark.sql.datasource import DataSourceStreamWriter, WriterCommitMessage


class IdempotentStreamWriter(DataSourceStreamWriter):
    def __init__(self, options, schema):
        self.url = options.get("url")

    def write(self, iterator):
        import requests

        partition_id = TaskContext.get().partitionId()
        with requests.Session() as session:
            for row in iterator:
                row_dict = row.asDict()
                # Deterministic key from partition + content: the same on every retry.
                key_data = json.dumps({"partition": partition_id, "row": row_dict}, sort_keys=True, default=str)
                idempotency_key = hashlib.sha256(key_data.encode()).hexdigest()
                response = session.post(
                    self.url,
                    data=json.dumps({"data": row_dict, "idempotency_key": idempotency_key}, default=str),
                    headers={"Content-Type": "application/json", "Idempotency-Key": idempotency_key},
                    timeout=30,
                )
                response.raise_for_status()
        return WriterCommitMessage()

    def commit(self, messages, batchId):
        pass  # The target deduplicates by idempotency key.

    def abort(self, messages, batchId):
        pass  # Idempotent writes make a retry safe: rows already sent are dropped as duplicates.
