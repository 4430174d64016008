/**
 * Swallowed write errors (`model/failures.ts`), which PDS012 reports: broad handlers around a
 * write with no re-raise, `suppress(Exception)`, unchecked HTTP responses, in `write()`, the
 * functions nested in it and the methods it calls (one level).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileModel, swallowedWriteErrors } from '../server/src/engine/model';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function swallowed(body: string, extra = '') {
  const source = [
    'import contextlib, logging, requests',
    'from pyspark.sql.datasource import DataSourceStreamWriter, WriterCommitMessage',
    'log = logging.getLogger()',
    '',
    'class W(DataSourceStreamWriter):',
    '    def write(self, iterator):',
    body.replace(/^/gm, '        '),
    '        return WriterCommitMessage()',
    extra.replace(/^/gm, '    '),
    '',
  ].join('\n');
  const parser = await getParser();
  const model = new FileModel(source, convertTree(parser.parse(source), source));
  const cls = model.classesByName.get('W')!;
  const found = swallowedWriteErrors(cls, model.writerSends(cls), { imports: model.imports, functions: model.functions, root: model.root, textOf: (n) => model.textOf(n) });
  return found.map((e) => `${e.kind}:${e.caught ?? ''}:${model.text.slice(e.start, e.end)}`);
}

describe('swallowedWriteErrors', () => {
  it('finds bare, Exception and BaseException handlers (also in tuples) around writes, in order', async () => {
    assert.deepEqual(
      await swallowed('try:\n    self.sink.put(1)\nexcept:\n    pass\ntry:\n    self.db.execute("x")\nexcept (KeyError, Exception) as e:\n    log.warning(e)\ntry:\n    self.f.write("x")\nexcept BaseException:\n    pass'),
      ['except::except', 'except:Exception:except (KeyError, Exception) as e', 'except:BaseException:except BaseException'],
    );
  });

  it('ignores narrow handlers, handlers that re-raise or call a helper that raises, and handlers around local work', async () => {
    assert.deepEqual(
      await swallowed(
        'try:\n    self.sink.put(1)\nexcept ValueError:\n    pass\ntry:\n    self.sink.put(1)\nexcept Exception:\n    raise\ntry:\n    self.sink.put(1)\nexcept Exception as e:\n    self._fail(e)\ntry:\n    x = int("1")\nexcept Exception:\n    x = 0',
        'def _fail(self, e):\n    raise RuntimeError() from e',
      ),
      [],
    );
  });

  it('accepts a deferred report: a flag or list read by a later raise, a retry loop that gives up in its else', async () => {
    assert.deepEqual(
      await swallowed('errors = []\ntry:\n    self.sink.put(1)\nexcept Exception as e:\n    errors.append(e)\nif errors:\n    raise RuntimeError(errors)\nfor i in range(3):\n    try:\n        self.sink.put(1)\n        break\n    except Exception:\n        pass\nelse:\n    raise RuntimeError("gave up")'),
      [],
    );
  });

  it('finds suppress(Exception) around a write and unchecked responses; not checked or returned ones', async () => {
    assert.deepEqual(
      await swallowed(
        'with contextlib.suppress(Exception):\n    self.sink.flush()\nrequests.post(self.url, json=list(iterator))\nr = requests.post(self.url, json=list(iterator))\nlog.info("%s", r.status_code)\nok = requests.post(self.url, json=list(iterator))\nif ok.status_code != 200:\n    raise RuntimeError()\nrequests.post(self.url, json=list(iterator)).raise_for_status()\nwith requests.post(self.url, json=list(iterator)) as resp:\n    assert resp.ok',
      ),
      ['suppress:Exception:contextlib.suppress(Exception)', 'unchecked-response::requests.post(self.url, json=list(iterator))', 'unchecked-response::requests.post(self.url, json=list(iterator))'],
    );
  });

  it('follows write() one level into helpers, and a response a helper returns to write()', async () => {
    assert.deepEqual(
      await swallowed(
        'self._a(list(iterator))\nself._post(list(iterator))',
        'def _a(self, rows):\n    try:\n        self._b(rows)\n    except Exception:\n        pass\ndef _b(self, rows):\n    self.sink.put(rows)\ndef _post(self, rows):\n    return requests.post(self.url, json=rows)',
      ),
      ['except:Exception:except Exception', 'unchecked-response::self._post(list(iterator))'],
    );
  });

  it('treats a handler that writes the rows elsewhere (dead-letter queue, retry) as handling the error', async () => {
    assert.deepEqual(await swallowed('for row in iterator:\n    try:\n        self.sink.put(row)\n    except Exception:\n        self.dlq.send_message(MessageBody=str(row))'), []);
  });
});
