"""Pitfall PDS004: a streaming sink that POSTs every row with no idempotency key.

When a task is retried, or a micro-batch is replayed after a restart, write() runs again for
the same rows and the API stores them twice. Send a deterministic key the API deduplicates on
(the quick fix adds the seed's SHA-256 of partition id and row), or use an upsert endpoint.
"""
import requests
from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, WriterCommitMessage


class WebhookStreamWriter(DataSourceStreamWriter):
    def __init__(self, options):
        self.url = options.get("url")
        self.token = options.get("token")

    def write(self, iterator):
        headers = {"Authorization": f"Bearer {self.token}"}
        sent = 0
        for row in iterator:
            response = requests.post(self.url, json={"event": row.asDict()}, headers=headers, timeout=30)
            response.raise_for_status()
            sent += 1
        return WriterCommitMessage()


class WebhookSink(DataSource):
    @classmethod
    def name(cls):
        return "webhook"

    def streamWriter(self, schema, overwrite):
        return WebhookStreamWriter(self.options)
