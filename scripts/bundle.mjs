// Bundles the extension for VS Code: dist/extension.js (client) and dist/server.js (language
// server). The native tree-sitter binding stays outside the bundle (loaded at run time, shipped
// in node_modules of the VSIX); the wasm fallback files are copied next to the server.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(root, 'package.json'));
const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode', 'tree-sitter', 'tree-sitter-python'],
};

await esbuild.build({ ...common, entryPoints: [path.join(root, 'client/src/extension.ts')], outfile: path.join(root, 'dist/extension.js') });
await esbuild.build({ ...common, entryPoints: [path.join(root, 'server/src/lsp/main.ts')], outfile: path.join(root, 'dist/server.js') });
await esbuild.build({ ...common, entryPoints: [path.join(root, 'server/src/cli/main.ts')], outfile: path.join(root, 'dist/cli.js') });
await esbuild.build({ ...common, entryPoints: [path.join(root, 'server/src/cli/worker.ts')], outfile: path.join(root, 'dist/worker.js') });

// The wasm fallback: web-tree-sitter's runtime and the Python grammar, next to the server.
const copies = [
  [path.join(path.dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'), 'tree-sitter.wasm'],
  [path.join(path.dirname(require.resolve('tree-sitter-python')), '..', '..', 'tree-sitter-python.wasm'), 'tree-sitter-python.wasm'],
];
for (const [from, name] of copies) {
  const source = fs.existsSync(from) ? from : path.join(root, 'node_modules', name === 'tree-sitter.wasm' ? 'web-tree-sitter' : 'tree-sitter-python', name);
  fs.copyFileSync(source, path.join(root, 'dist', name));
}
console.log(`bundled into ${path.relative(process.cwd(), path.join(root, 'dist'))}/`);
