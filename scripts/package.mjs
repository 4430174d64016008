// Builds one VSIX per platform (`vsce package --target <platform>`), the way ruff and semgrep ship
// theirs: the bundled extension and server (dist/), the rule pages, snippets and grammars, and the
// native tree-sitter binding for that platform only, with the wasm grammar as the fallback.
//
//   node scripts/package.mjs [--target linux-x64]... [--out vsix/]
//
// Each target is staged in .package/<target>/ with a trimmed package.json and node_modules that
// hold only tree-sitter, tree-sitter-python and node-gyp-build (their run-time loader).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const ALL_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

const args = process.argv.slice(2);
const targets = [];
let outDir = path.join(root, 'vsix');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--target') targets.push(args[++i]);
  else if (args[i] === '--out') outDir = path.resolve(args[++i]);
  else if (args[i] === '--all') targets.push(...ALL_TARGETS);
  else throw new Error(`unknown argument ${args[i]}`);
}
if (!targets.length) targets.push(`${process.platform}-${process.arch}`);
for (const t of targets) if (!ALL_TARGETS.includes(t)) throw new Error(`unsupported target ${t} (one of ${ALL_TARGETS.join(', ')})`);

const run = (cmd, cmdArgs, cwd = root) => execFileSync(cmd, cmdArgs, { cwd, stdio: 'inherit' });
const copy = (from, to) => {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true, dereference: true });
};

run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b']);
run(process.execPath, [path.join(root, 'scripts/bundle.mjs'), '--production']);

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.mkdirSync(outDir, { recursive: true });
const built = [];

for (const target of targets) {
  const stage = path.join(root, '.package', target);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });

  // The manifest, without what only development needs.
  const manifest = { ...pkg };
  delete manifest.devDependencies;
  delete manifest.scripts;
  delete manifest.bin;
  manifest.dependencies = { 'tree-sitter': pkg.dependencies['tree-sitter'], 'tree-sitter-python': pkg.dependencies['tree-sitter-python'] };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', 'language-configuration.json']) {
    if (fs.existsSync(path.join(root, file))) copy(path.join(root, file), path.join(stage, file));
  }
  for (const dir of ['images', 'snippets', 'syntaxes']) {
    if (fs.existsSync(path.join(root, dir))) copy(path.join(root, dir), path.join(stage, dir));
  }
  copy(path.join(root, 'docs'), path.join(stage, 'docs'));
  fs.mkdirSync(path.join(stage, 'dist'));
  for (const f of fs.readdirSync(path.join(root, 'dist'))) {
    if (!f.endsWith('.map')) copy(path.join(root, 'dist', f), path.join(stage, 'dist', f));
  }
  // The dry-run harness is Python, shipped as is (the bundled client finds it at dist/../server/dryrun).
  copy(path.join(root, 'server/dryrun'), path.join(stage, 'server/dryrun'));

  // Native bindings: this platform's binary only. On the build machine's own platform, a binary
  // compiled here (build/Release) is preferred: it matches the C++ runtime of older Linux
  // distributions, which the upstream linux prebuild of tree-sitter does not.
  const nm = path.join(stage, 'node_modules');
  const hostTarget = `${process.platform}-${process.arch}`;
  for (const name of ['tree-sitter', 'tree-sitter-python']) {
    const src = path.join(root, 'node_modules', name);
    const dst = path.join(nm, name);
    const pkgJson = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
    copy(path.join(src, 'package.json'), path.join(dst, 'package.json'));
    if (fs.existsSync(path.join(src, 'LICENSE'))) copy(path.join(src, 'LICENSE'), path.join(dst, 'LICENSE'));
    const main = pkgJson.main ?? 'index.js';
    copy(path.join(src, main), path.join(dst, main));
    if (name === 'tree-sitter-python') copy(path.join(src, 'src/node-types.json'), path.join(dst, 'src/node-types.json'));
    const release = path.join(src, 'build', 'Release');
    const releaseBinary = fs.existsSync(release) ? fs.readdirSync(release).find((f) => f.endsWith('.node')) : undefined;
    if (target === hostTarget && releaseBinary) {
      copy(path.join(release, releaseBinary), path.join(dst, 'build', 'Release', releaseBinary));
    } else {
      const prebuilds = path.join(src, 'prebuilds', target);
      if (!fs.existsSync(prebuilds)) throw new Error(`${name} has no prebuilt binary for ${target}`);
      copy(prebuilds, path.join(dst, 'prebuilds', target));
    }
  }
  copy(path.join(root, 'node_modules', 'node-gyp-build'), path.join(nm, 'node-gyp-build'));
  // node-addon-api is a build-time dependency of both; staged so `npm list` (vsce's dependency
  // detection) is satisfied, and left out of the VSIX by .vscodeignore.
  copy(path.join(root, 'node_modules', 'node-addon-api', 'package.json'), path.join(nm, 'node-addon-api', 'package.json'));

  fs.writeFileSync(path.join(stage, '.vscodeignore'), ['**/*.map', '**/*.ts', '**/__pycache__/**', '**/*.pyc', 'node_modules/node-addon-api/**', 'node_modules/node-gyp-build/*.md', 'node_modules/node-gyp-build/build-test.js', 'node_modules/node-gyp-build/bin.js', 'node_modules/node-gyp-build/optional.js'].join('\n'));
  const vsix = path.join(outDir, `${pkg.name}-${target}-${pkg.version}.vsix`);
  run(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--target', target, '--dependencies', '--out', vsix], stage);
  built.push(vsix);
}

for (const vsix of built) {
  const size = fs.statSync(vsix).size;
  console.log(`${path.relative(process.cwd(), vsix)}  ${(size / 1024 / 1024).toFixed(2)} MB`);
}
