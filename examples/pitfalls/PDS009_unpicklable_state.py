"""Pitfall PDS009: a database connection opened in the writer's __init__.

Spark pickles the writer to send it to the executors; a psycopg connection cannot be pickled,
so the query fails before writing a row. Keep the DSN and connect in write():

    def __init__(self, options):
        self.dsn = options["dsn"]

    def write(self, iterator):
        self.conn = psycopg.connect(self.dsn)
"""
import psycopg
from pyspark.sql.datasource import DataSource, DataSourceStreamWriter, WriterCommitMessage


class OrdersWriter(DataSourceStreamWriter):
    def __init__(self, options):
        self.dsn = options["dsn"]
        self.conn = psycopg.connect(self.dsn)

    def write(self, iterator):
        with self.conn.cursor() as cur:
            for row in iterator:
                cur.execute(
                    "INSERT INTO orders (id, amount) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
                    (row.id, row.amount),
                )
        self.conn.commit()
        return WriterCommitMessage()


class OrdersSink(DataSource):
    @classmethod
    def name(cls):
        return "orders_sink"

    def streamWriter(self, schema, overwrite):
        return OrdersWriter(self.options)
