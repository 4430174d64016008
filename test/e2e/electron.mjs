// `npm run test:e2e`: the same suite with @vscode/test-electron, on machines that can download
// VS Code. (Here and in CI, where it cannot, test/e2e/e2e.test.mjs runs it in code-server.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pds-e2e-ws-'));
fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true });
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(here, 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (err) {
  console.error(`e2e failed: ${err.message ?? err}`);
  process.exit(1);
}
