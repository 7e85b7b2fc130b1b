// scripts/build-gyp.js — the fallback native build: `npm run build:native:gyp`.
// Runs npm's bundled node-gyp on binding.gyp (CPU only; no cmake needed) and
// then loads the result in a child process to prove it works.
//
// Offline by design: --nodedir points at the headers of the Node that runs
// this script (derived from process.execPath), so node-gyp never downloads
// them. Note that `node-gyp rebuild` replaces build/ (also the cmake-js tree).
// Extra arguments are passed on to node-gyp (e.g. `-- --debug`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function fail(message, fixes = []) {
  console.error(`✗ build:native:gyp: ${message}`);
  for (const fix of fixes) console.error(`  - ${fix}`);
  process.exit(1);
}

// node-gyp's entry point, in order: the one npm ships (found from the npm that
// runs this script, or next to this node), then a locally installed node-gyp.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath) {
    // .../npm/bin/npm-cli.js -> .../npm/node_modules/node-gyp/bin/node-gyp.js
    const npmDir = path.resolve(path.dirname(process.env.npm_execpath), '..');
    candidates.push(path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push('/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally: fine
  }
  return candidates.find((file) => existsSync(file));
}

// The directory whose include/node/ holds this Node's headers (node_api.h).
function findNodeDir() {
  const candidates = [path.resolve(path.dirname(process.execPath), '..')];
  if (process.env.npm_config_nodedir) candidates.push(process.env.npm_config_nodedir);
  return candidates.find((dir) => existsSync(path.join(dir, 'include', 'node', 'node_api.h')));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  fail('node-gyp was not found', [
    "run this through npm (`npm run build:native:gyp`): npm bundles node-gyp",
    'or use the primary build: `npm run build:native` (cmake-js)',
  ]);
}
const nodeDir = findNodeDir();
if (!nodeDir) {
  fail(`no Node headers (include/node/node_api.h) next to ${process.execPath}`, [
    'install the Node development headers (e.g. the nodejs package that ships /usr/include/node)',
    'or set npm_config_nodedir to a Node source/headers directory',
  ]);
}

console.log(`node-gyp: ${nodeGyp}\nnodedir:  ${nodeDir}`);
const args = [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--jobs=max', ...process.argv.slice(2)];
const build = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  fail(`node-gyp exited with ${build.status ?? build.signal}`, [
    'a C++17 compiler, make and python3 are required',
    'or use the primary build: `npm run build:native` (cmake-js)',
  ]);
}

// Load it in a child process, so a broken binary cannot take this one down.
const addon = path.join(root, 'build', 'Release', 'gdln.node');
try {
  const info = execFileSync(
    process.execPath,
    ['-e', `console.log(JSON.stringify(require(${JSON.stringify(addon)}).buildInfo()))`],
    { encoding: 'utf8' },
  );
  console.log(`✓ ${path.relative(root, addon)} loads: ${info.trim()}`);
} catch (err) {
  fail(`${addon} was built but does not load: ${err.message}`);
}
