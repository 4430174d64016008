"""Pitfall PDS010: SQS messages deleted inside read().

If the task fails after the delete, or the batch is replayed after a restart, the messages are
no longer in the queue: they are lost. Remember what was read (for example in a table keyed by
the offset) and delete in commit(end), which Spark calls once the batch is complete.
"""
import boto3
from pyspark.sql.datasource import DataSource, DataSourceStreamReader, InputPartition


class SqsStreamReader(DataSourceStreamReader):
    def __init__(self, options):
        self.queue_url = options["queue_url"]
        self.partitions_per_batch = int(options.get("partitions", "4"))

    def initialOffset(self):
        return {"batch": 0}

    def latestOffset(self):
        return {"batch": 1}

    def partitions(self, start, end):
        return [InputPartition(i) for i in range(self.partitions_per_batch)]

    def read(self, partition):
        sqs = boto3.client("sqs")
        response = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
        for message in response.get("Messages", []):
            yield (message["MessageId"], message["Body"])
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


class SqsSource(DataSource):
    @classmethod
    def name(cls):
        return "sqs"

    def schema(self):
        return "id STRING, body STRING"

    def streamReader(self, schema):
        return SqsStreamReader(self.options)
