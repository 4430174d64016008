"""Pitfall PDS012: write() logs a failed upload and reports success anyway.

Spark only learns that a task failed when write() raises. Here the exception is caught and
logged, write() returns its commit message, the driver commits the batch, and the rows that did
not reach the bucket are lost for good. Let the exception propagate (re-raise after logging);
Spark then retries the task.
"""
import json
import logging

import boto3
from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, WriterCommitMessage
from pyspark import TaskContext

log = logging.getLogger(__name__)


class S3JsonStreamWriter(DataSourceStreamWriter):
    def __init__(self, options):
        self.bucket = options.get("bucket")
        self.prefix = options.get("prefix", "events")

    def write(self, iterator):
        partition = TaskContext.get().partitionId()
        body = "\n".join(json.dumps(row.asDict(), default=str) for row in iterator)
        try:
            boto3.client("s3").put_object(Bucket=self.bucket, Key=f"{self.prefix}/part-{partition}.json", Body=body)
        except Exception as e:
            log.warning("upload of partition %s failed: %s", partition, e)
        return WriterCommitMessage()


class S3JsonSink(DataSource):
    @classmethod
    def name(cls):
        return "s3json"

    def streamWriter(self, schema, overwrite):
        return S3JsonStreamWriter(self.options)
