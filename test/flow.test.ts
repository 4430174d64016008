/**
 * The control-flow facts rules rely on: can a function run off its end (PDS020), is a `return`
 * the last thing the function does (PDS021's `yield from` fix).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canFallOffEnd, FileModel, type FunctionInfo, isInTailPosition } from '../server/src/engine/model';
import { convertTree } from '../server/src/engine/syntax';
import { getParser } from './helpers/engine';

async function functionOf(source: string): Promise<{ model: FileModel; fn: FunctionInfo }> {
  const parser = await getParser();
  const root = convertTree(parser.parse(source), source);
  const model = new FileModel(source, root);
  const fn = model.functions.get('f');
  assert.ok(fn, 'the source defines f()');
  return { model, fn };
}

async function fallsOff(body: string): Promise<boolean> {
  const { fn } = await functionOf(`def f(x):\n${body.replace(/^/gm, '    ')}\n`);
  return canFallOffEnd(fn);
}

describe('canFallOffEnd', () => {
  const cases: [string, string, boolean][] = [
    ['a plain statement', 'print(x)', true],
    ['a final return', 'print(x)\nreturn 1', false],
    ['a raise', 'raise ValueError(x)', false],
    ['assert False', 'assert False, "unreachable"', false],
    ['an if without else', 'if x:\n    return 1', true],
    ['if/elif/else all returning', 'if x:\n    return 1\nelif x > 1:\n    raise E()\nelse:\n    return 2', false],
    ['if/elif without else', 'if x:\n    return 1\nelif x > 1:\n    return 2', true],
    ['a for loop returning inside', 'for i in x:\n    return i', true],
    ['a for loop with an else that returns', 'for i in x:\n    pass\nelse:\n    return 0', false],
    ['a for/else whose body breaks', 'for i in x:\n    break\nelse:\n    return 0', true],
    ['while True without break', 'while True:\n    if x:\n        return 1', false],
    ['while True with break', 'while True:\n    if x:\n        break', true],
    ['while (1) with a nested loop break', 'while (1):\n    for i in x:\n        break\n    return 1', false],
    ['a while on a condition', 'while x:\n    return 1', true],
    ['try returning in body and handler', 'try:\n    return g()\nexcept E:\n    return None', false],
    ['try with a handler that falls through', 'try:\n    return g()\nexcept E:\n    log()', true],
    ['try/except re-raising', 'try:\n    return g()\nexcept E:\n    raise', false],
    ['try/else returning', 'try:\n    g()\nexcept E:\n    raise\nelse:\n    return 1', false],
    ['a finally that returns', 'try:\n    g()\nfinally:\n    return 1', false],
    ['a finally that falls through', 'try:\n    return g()\nfinally:\n    close()', false],
    ['with returning inside', 'with open(x) as f:\n    return f.read()', false],
    ['match with a wildcard, all returning', 'match x:\n    case 1:\n        return 1\n    case _:\n        return 2', false],
    ['match without a wildcard', 'match x:\n    case 1:\n        return 1\n    case 2:\n        return 2', true],
    ['match with a guarded catch-all', 'match x:\n    case y if y:\n        return 1', true],
    ['match with a capture pattern', 'match x:\n    case 1:\n        return 1\n    case other:\n        return 2', false],
    ['code after a return in a branch', 'if x:\n    return 1\n    print(x)\nreturn 2', false],
    ['a nested function does not return for f', 'def g():\n    return 1', true],
  ];
  for (const [name, body, expected] of cases) {
    it(`${name}: ${expected ? 'can' : 'cannot'} fall off the end`, async () => {
      assert.equal(await fallsOff(body), expected);
    });
  }
});

describe('isInTailPosition', () => {
  async function tail(body: string): Promise<boolean[]> {
    const { fn } = await functionOf(`def f(x):\n${body.replace(/^/gm, '    ')}\n`);
    return fn.returns.map((r) => isInTailPosition(r, fn));
  }
  it('the last statement of the body', async () => assert.deepEqual(await tail('y = 1\nreturn [y]'), [true]));
  it('the end of both branches of a final if/else', async () => assert.deepEqual(await tail('if x:\n    return [1]\nelse:\n    return [2]'), [true, true]));
  it('an early return in an if followed by more code', async () => assert.deepEqual(await tail('if x:\n    return []\nreturn [1]'), [false, true]));
  it('inside a final with block', async () => assert.deepEqual(await tail('with g() as s:\n    return [s]'), [true]));
  it('not inside a loop', async () => assert.deepEqual(await tail('for i in x:\n    return [i]'), [false]));
  it('not inside try', async () => assert.deepEqual(await tail('try:\n    return [1]\nexcept E:\n    raise'), [false]));
});
