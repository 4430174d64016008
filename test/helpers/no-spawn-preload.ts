/**
 * Loaded with `node --require` before the language server in a test: every way of starting a
 * process or a thread writes `pds-test: spawn <how> <what>` on stderr and throws, so the test can
 * assert that serving documents runs nothing.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const cp = require('node:child_process') as Record<string, unknown>;
const threads = require('node:worker_threads') as Record<string, unknown>;

function refuse(how: string): (...args: unknown[]) => never {
  return (...args: unknown[]) => {
    process.stderr.write(`pds-test: spawn ${how} ${String(args[0])}\n`);
    throw new Error(`pds-lint tried to run ${String(args[0])} (${how})`);
  };
}

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) cp[name] = refuse(name);
threads.Worker = refuse('Worker');
process.stderr.write('pds-test: no-spawn guard active\n');
