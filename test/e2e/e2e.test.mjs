// End-to-end tests in a real VS Code (code-server driven by Debian's Chromium), as node:test
// tests so CI reads one summary. Needs a build (npm run build); installs code-server and Chromium
// on first use (test/e2e/scripts/setup.sh, about 70 s). Run: node --test test/e2e/e2e.test.mjs
//
// 1. the e2e suite with the extension from the source tree (extensionDevelopmentPath);
// 2. the packaged linux-x64 VSIX installed into code-server, proving the native binding loads;
// 3. a UI smoke test through the workbench (keyboard, Problems panel), saving screenshots.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const SCRIPTS = path.join(HERE, 'scripts');
const SCREENSHOTS = path.join(HERE, 'screenshots');

/** Runs a node script, streaming its output, resolving with its exit code and output. */
function runNode(script, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), output });
    });
  });
}

/** A fresh copy of examples/ as the workspace (tests edit files). */
function workspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-e2e-ws-'));
  fs.cpSync(path.join(ROOT, 'examples'), dir, { recursive: true });
  return dir;
}

describe('VS Code end to end (code-server + Chromium)', () => {
  let codeServer;
  before(() => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'extension.js')), 'run npm run build first');
    codeServer = execFileSync('bash', [path.join(SCRIPTS, 'setup.sh'), path.join(ROOT, '.vscode-e2e')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    assert.ok(fs.existsSync(codeServer), `code-server not installed: ${codeServer}`);
  });

  it('runs the e2e suite against the extension from the source tree', async () => {
    const { code, output } = await runNode(path.join(SCRIPTS, 'run-extension-tests.mjs'), [
      '--code-server', codeServer,
      '--extension-development-path', ROOT,
      '--extension-tests-path', path.join(HERE, 'suite', 'index.js'),
      '--workspace', workspace(),
      '--timeout', '240',
      '--artifacts', path.join(HERE, 'artifacts', 'dev'),
    ], 300_000);
    assert.equal(code, 0, 'the e2e suite failed (see its output above)');
    assert.match(output, /e2e suite: \d+ passed/);
  });

  it('installs the packaged linux-x64 VSIX and gets diagnostics from its native binding', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-vsix-'));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const vsix = fs.readdirSync(out).find((f) => f.endsWith('.vsix'));
    assert.ok(vsix, 'no VSIX built');
    const size = fs.statSync(path.join(out, vsix)).size;
    process.stderr.write(`VSIX ${vsix}: ${(size / 1024 / 1024).toFixed(2)} MB\n`);
    const { code, output } = await runNode(path.join(SCRIPTS, 'run-extension-tests.mjs'), [
      '--code-server', codeServer,
      '--install-extension', path.join(out, vsix),
      '--extension-development-path', path.join(HERE, 'host'),
      '--extension-tests-path', path.join(HERE, 'suite', 'vsix.js'),
      '--workspace', workspace(),
      '--timeout', '180',
      '--artifacts', path.join(HERE, 'artifacts', 'vsix'),
    ], 240_000);
    assert.equal(code, 0, 'the VSIX suite failed (see its output above)');
    assert.match(output, /parser native/);
  });

  it('shows the squiggle, the hover and the quick fix in the workbench UI', async () => {
    const { code } = await runNode(path.join(SCRIPTS, 'ui-smoke.mjs'), [
      '--code-server', codeServer,
      '--extension-development-path', ROOT,
      '--workspace', workspace(),
      '--file', 'PDS020_write_returns_no_commit_message.py',
      '--expect-problem', 'WriterCommitMessage',
      '--quick-fix', '(PDS020)',
      '--screenshot-dir', SCREENSHOTS,
      '--timeout', '180',
    ], 240_000);
    assert.equal(code, 0, 'the UI smoke test failed (see its output above)');
    assert.ok(fs.existsSync(path.join(SCREENSHOTS, 'squiggle-hover.png')));
  });
});
