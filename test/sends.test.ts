/**
 * The writer sends model (`model/sends.ts`) that PDS004 reads and that the rules on key
 * determinism (PDS011) and unchecked results (PDS012) build on: which calls are sends, through
 * which helper, whether they append, and the idempotency evidence with the expression a key is
 * built from.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, type WriterSend } from '../server/src/engine/model';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function sendsOf(body: string, extra = ''): Promise<{ model: FileModel; sends: WriterSend[] }> {
  const source = [
    'import json, hashlib, uuid, boto3, requests',
    'from kafka import KafkaProducer',
    'from pyspark.sql.datasource import DataSourceStreamWriter',
    '',
    'class W(DataSourceStreamWriter):',
    '    def write(self, iterator):',
    body.replace(/^/gm, '        '),
    extra.replace(/^/gm, '    '),
    '',
  ].join('\n');
  const parser = await getParser();
  const model = new FileModel(source, convertTree(parser.parse(source), source));
  const writer = model.classesByName.get('W');
  assert.ok(writer, 'the source defines W');
  return { model, sends: model.writerSends(writer) };
}

describe('writerSends', () => {
  it('finds an HTTP POST with its target, payload and no evidence', async () => {
    const { model, sends } = await sendsOf('for row in iterator:\n    requests.post(self.url, json=row.asDict())');
    assert.equal(sends.length, 1);
    const [s] = sends;
    assert.equal(s.channel, 'http');
    assert.equal(s.httpMethod, 'POST');
    assert.equal(s.operation, 'requests.post');
    assert.equal(s.appends, true);
    assert.equal(model.textOf(s.target!), 'self.url');
    assert.equal(model.textOf(s.payload!), 'row.asDict()');
    assert.deepEqual(s.evidence, []);
  });

  it('records the expression a body key is built from, through a local', async () => {
    const { model, sends } = await sendsOf(
      'for row in iterator:\n    key = hashlib.sha256(json.dumps(row.asDict()).encode()).hexdigest()\n    payload = {"data": row.asDict(), "idempotency_key": key}\n    requests.post(self.url, json=payload)',
    );
    const [e] = sends[0].evidence;
    assert.equal(e.kind, 'key-field');
    assert.equal(e.name, 'idempotency_key');
    assert.equal(model.textOf(e.keyValue!), 'key');
    assert.equal(e.scope?.name, 'write');
  });

  it('sees a header set by subscript and a key that changes on retry (still evidence: PDS011 judges it)', async () => {
    const { model, sends } = await sendsOf(
      'headers = {}\nheaders["Idempotency-Key"] = str(uuid.uuid4())\nrequests.post(self.url, json=list(iterator), headers=headers)',
    );
    assert.equal(sends[0].evidence.length, 1);
    assert.equal(model.textOf(sends[0].evidence[0].keyValue!), 'str(uuid.uuid4())');
  });

  it('follows write() into the methods of the class it calls, and says through which call', async () => {
    const { model, sends } = await sendsOf('self._flush(list(iterator))', [
      'def _flush(self, rows):',
      '    producer = KafkaProducer()',
      '    for r in rows:',
      '        producer.send("t", value=json.dumps(r.asDict()).encode())',
    ].join('\n'));
    assert.equal(sends.length, 1);
    assert.equal(sends[0].channel, 'kafka');
    assert.equal(sends[0].method.name, '_flush');
    assert.deepEqual(sends[0].via.map((c) => model.textOf(c)), ['self._flush(list(iterator))']);
  });

  it('tells INSERT from upserts by the SQL text, through a class constant', async () => {
    const { sends } = await sendsOf(
      'cur = self.conn.cursor()\ncur.executemany(self.SQL, list(iterator))\ncur.execute("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING")\ncur.execute("SELECT 1")',
      'SQL = "INSERT INTO t (a) VALUES (%s)"',
    );
    assert.deepEqual(sends.map((s) => [s.channel, s.appends, s.evidence.map((e) => e.kind)]), [
      ['sql', true, []],
      ['sql', false, ['sql-upsert']],
    ]);
  });

  it('treats PUT, DynamoDB put_item and Mongo upserts as replacing, and SQS dedup ids as keys', async () => {
    const { sends } = await sendsOf([
      'rows = [r.asDict() for r in iterator]',
      'requests.put(f"{self.url}/{rows[0][\'id\']}", json=rows[0])',
      'requests.put(self.url, json=rows)',
      'with boto3.resource("dynamodb").Table("t").batch_writer() as batch:',
      '    batch.put_item(Item=rows[0])',
      'self.coll.replace_one({"_id": 1}, rows[0], upsert=True)',
      'boto3.client("sqs").send_message(QueueUrl=self.q, MessageBody="x", MessageDeduplicationId="1")',
    ].join('\n'));
    assert.deepEqual(sends.map((s) => [s.channel, s.appends, s.evidence.map((e) => e.kind)]), [
      ['http', false, ['put-url']],
      ['http', false, []],
      ['dynamodb', false, ['replace-by-key']],
      ['mongo', false, ['mongo-upsert']],
      ['sqs', true, ['key-field']],
    ]);
  });

  it('tells a send of the rows from a token request, and sees rows buffered on self', async () => {
    const { sends } = await sendsOf(
      'requests.post(self.token_url, data={"grant_type": "client_credentials", "id": self.client_id})\nfor row in iterator:\n    self.buffer.append(row)\nrequests.post(self.url, json=self.buffer)\nrequests.post(self.url, json=self.static_body)',
    );
    assert.deepEqual(sends.map((s) => s.fromData), [false, true, false]);
  });

  it('finds a key set on events a helper builds, through the buffer write() passes to the sending helper', async () => {
    const { model, sends } = await sendsOf(
      'buffer = []\nfor row in iterator:\n    buffer.append(self._event(row))\nself._send(buffer)',
      [
        'def _send(self, events):',
        '    requests.post(self.url, json={"data": events})',
        'def _event(self, row):',
        '    event = {"name": row.name}',
        '    event["event_id"] = str(row.id)',
        '    return event',
      ].join('\n'),
    );
    assert.deepEqual(sends[0].evidence.map((e) => [e.name, model.textOf(e.keyValue!), e.scope?.name]), [['event_id', 'str(row.id)', '_event']]);
  });

  it('does not take calls of other SDKs or plain sockets for sends', async () => {
    const { sends } = await sendsOf('client = make_client()\nclient.post(list(iterator))\nself.sock.send(b"x")\nself.table.put_record(Record={})');
    assert.deepEqual(sends, []);
  });
});

describe('writerSends: fromData through a local list', () => {
  it('sees rows appended to a local list that is then sent', async () => {
    const { sends } = await sendsOf('events = []\nfor row in iterator:\n    events.append({"p": row.asDict()})\nrequests.post(self.url, json={"events": events})\nstatic = []\nstatic.append("ping")\nrequests.post(self.url, json=static)');
    assert.deepEqual(sends.map((s) => s.fromData), [true, false]);
  });
});
