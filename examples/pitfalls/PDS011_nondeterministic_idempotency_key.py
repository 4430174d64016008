"""Pitfall PDS011: an idempotency key made with uuid4(), new on every attempt.

The API deduplicates on the `Idempotency-Key` header, but a retried task (or a micro-batch
replayed after a restart) sends the same rows with fresh uuids, so the API stores them again.
Build the key from what does not change between attempts: the partition id and the row, e.g.
`hashlib.sha256(json.dumps({"partition": pid, "row": row.asDict()}, sort_keys=True).encode())`.
"""
import uuid

import requests
from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, WriterCommitMessage


class PaymentsStreamWriter(DataSourceStreamWriter):
    def __init__(self, options):
        self.url = options.get("url")

    def write(self, iterator):
        with requests.Session() as session:
            for row in iterator:
                headers = {"Idempotency-Key": str(uuid.uuid4())}
                session.post(self.url, json=row.asDict(), headers=headers, timeout=30).raise_for_status()
        return WriterCommitMessage()


class PaymentsSink(DataSource):
    @classmethod
    def name(cls):
        return "payments"

    def streamWriter(self, schema, overwrite):
        return PaymentsStreamWriter(self.options)
