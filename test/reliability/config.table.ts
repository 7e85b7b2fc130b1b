/**
 * Bad-input rows for experiment configs (issue 8): `loadConfig` (files, built-in
 * names, overrides) and `gdln run` through the CLI's main(). Every mistake must be
 * a GdlnError naming its culprit: the config path (params.c, sweep "x", seeds[1]),
 * the file and line of a syntax error, the flag, or the results folder.
 *
 * A small experiment module (arithmetic only) and the configs are written to one
 * temp folder, removed when the process exits.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../../lib/experiments/framework/config.ts';
import { cliError, runCli, type BadInputRow } from './badInputRow.ts';

// ---------------------------------------------------------------- fixtures

const work = mkdtempSync(join(tmpdir(), 'gdln-reliability-config-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

/** A test experiment with one field of each kind the schema checks. */
const MODULE = `
export const experiments = [{
  name: 'rel-toy', title: 'Reliability toy', paper: 'none', parameters: 'a, c, mode, flag', description: 'value = a·c + seed',
  schema: { kind: 'object', doc: 'p', fields: {
    a: { kind: 'number', doc: 'a' },
    c: { kind: 'number', doc: 'c', min: 0, max: 10 },
    mode: { kind: 'string', doc: 'mode', enum: ['fast', 'slow'] },
    flag: { kind: 'boolean', doc: 'flag' },
  }, optional: ['mode', 'flag'] },
  defaults: { a: 1, c: 1 },
  async run(p, ctx) {
    return { metrics: { value: p.a * p.c + ctx.seed }, series: {}, plots: [] };
  },
}];
`;
writeFileSync(join(work, 'rel-toy.mjs'), MODULE);
const HEAD = 'experiment: rel-toy\nmodule: ./rel-toy.mjs\n';
const TOY = join(work, 'toy.yaml');
writeFileSync(TOY, `${HEAD}seeds: 1\n`);

let counter = 0;
/** Writes a config file (YAML or JSON by `ext`) next to the module and returns its path. */
function config(text: string, ext = 'yaml'): string {
  const path = join(work, `config-${counter++}.${ext}`);
  writeFileSync(path, text);
  return path;
}
const load = (text: string, overrides?: ConfigOverrides) => loadConfig(config(`${HEAD}${text}`), overrides);

/** Every file under `dir` with a hash of its bytes, to prove a folder was left untouched. */
function fingerprint(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      const p = join(dir, f);
      const st = statSync(p);
      return st.isFile() ? `${f} ${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs}` : `${f}/`;
    });
}

/** A row whose mentions include the path of the config it writes. */
function withConfig(id: string, description: string, text: string, ext: string, mentions: string[], code: BadInputRow['expect']['code'] = 'GDLN_INVALID_ARGUMENT'): BadInputRow {
  const row: BadInputRow = {
    id, area: 'config', description,
    act: () => {
      const path = config(text, ext);
      row.expect.mentions = [`config-${counter - 1}.${ext}`, ...mentions];
      return loadConfig(path);
    },
    expect: { code, mentions },
  };
  return row;
}

// ---------------------------------------------------------------- rows

export const rows: BadInputRow[] = [
  // ---- which experiment
  {
    id: 'config.unknown-builtin', area: 'config', description: "a built-in name that does not exist ('no-such-exp')",
    act: () => loadConfig('no-such-exp'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['experiment', '"no-such-exp"', 'gdln list'] },
  },
  {
    id: 'config.unknown-in-module', area: 'config', description: 'a config naming an experiment its module does not export',
    act: () => loadConfig(config('experiment: rel-toi\nmodule: ./rel-toy.mjs\n')),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"rel-toi"', 'rel-toy.mjs', 'rel-toy'] },
  },
  {
    id: 'config.missing-module', area: 'config', description: 'module: ./nowhere.mjs',
    act: () => loadConfig(config('experiment: rel-toy\nmodule: ./nowhere.mjs\n')),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['module', 'nowhere.mjs'] },
  },
  {
    id: 'config.no-experiment', area: 'config', description: 'a config without an experiment field',
    act: () => loadConfig(config('seeds: 2\n')),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['experiment'] },
  },
  {
    id: 'config.missing-file', area: 'config', description: 'a config path that does not exist',
    act: () => loadConfig(join(work, 'absent.yaml')),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['absent.yaml', 'ENOENT'] },
  },
  (() => {
    const path = join(work, 'settings.toml');
    return {
      id: 'config.wrong-extension', area: 'config', description: 'an existing file that is not .json / .yaml / .yml',
      act: () => {
        writeFileSync(path, 'experiment = "rel-toy"\n');
        return loadConfig(path);
      },
      expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['settings.toml', '.json, .yaml or .yml'] },
    } satisfies BadInputRow;
  })(),

  // ---- syntax
  withConfig('config.yaml-syntax', "a stray ']' on line 3, column 14", `${HEAD}seeds: [1, 2]]\n`, 'yaml', ['line 3, column 14', 'invalid YAML']),
  withConfig('config.json-syntax', 'a JSON config with a trailing comma on line 3', '{\n  "experiment": "rel-toy",\n  "seeds": 2,\n}\n', 'json', ['line 4', 'invalid JSON']),
  withConfig('config.not-an-object', 'a YAML config that is a list', '- rel-toy\n- 2\n', 'yaml', ['expected a config object']),

  // ---- top-level fields
  {
    id: 'config.unknown-field', area: 'config', description: "a top-level 'sweeps:' (typo for sweep)",
    act: () => load('sweeps:\n  c: [1, 2]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['sweeps', 'unknown config field', 'sweep'] },
  },
  {
    id: 'config.unknown-backend', area: 'config', description: "backend: tpu",
    act: () => load('backend: tpu\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['backend', '"tpu"', '"cpu"'] },
  },
  {
    id: 'config.bad-dtype', area: 'config', description: 'dtype: float16',
    act: () => load('dtype: float16\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['dtype', 'float16'] },
  },
  {
    id: 'config.workers-zero', area: 'config', description: 'workers: 0',
    act: () => load('workers: 0\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['workers', '0'] },
  },
  {
    id: 'config.unsafe-name', area: 'config', description: "name: '../escape' (not folder-safe)",
    act: () => load("name: '../escape'\n"),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['name', '../escape'] },
  },
  {
    id: 'config.params-not-object', area: 'config', description: 'params: 3',
    act: () => load('params: 3\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params', '3'] },
  },

  // ---- params against the experiment's schema
  {
    id: 'config.param-wrong-type', area: 'config', description: "params.c: 'two' (a string for a number)",
    act: () => load('params:\n  c: two\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.c', '"two"'] },
  },
  {
    id: 'config.param-below-min', area: 'config', description: 'params.c: -1 (min 0)',
    act: () => load('params:\n  c: -1\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.c', '-1', '>= 0'] },
  },
  {
    id: 'config.param-above-max', area: 'config', description: 'params.c: 11 (max 10)',
    act: () => load('params:\n  c: 11\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.c', '11'] },
  },
  {
    id: 'config.param-nan', area: 'config', description: 'params.a: .nan (YAML NaN)',
    act: () => load('params:\n  a: .nan\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.a', 'NaN'] },
  },
  {
    id: 'config.param-unknown-field', area: 'config', description: 'params.cc: 2 (no such parameter)',
    act: () => load('params:\n  cc: 2\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.cc', 'unknown field', 'c'] },
  },
  {
    id: 'config.param-bad-enum', area: 'config', description: "params.mode: medium (enum fast | slow)",
    act: () => load('params:\n  mode: medium\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.mode', '"medium"', '"fast"', '"slow"'] },
  },
  {
    id: 'config.param-bool-as-string', area: 'config', description: "params.flag: 'yes' (a quoted string for a boolean)",
    act: () => load("params:\n  flag: 'yes'\n"),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.flag', 'true or false'] },
  },

  // ---- sweeps
  {
    id: 'config.sweep-bad-path', area: 'config', description: 'sweep over params.z, which does not exist',
    act: () => load('sweep:\n  z: [1, 2]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['sweep', '"z"'] },
  },
  {
    id: 'config.sweep-bad-value', area: 'config', description: 'sweep c: [1, -2] (−2 below min 0)',
    act: () => load('sweep:\n  c: [1, -2]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.c', '-2'] },
  },
  {
    id: 'config.sweep-not-list', area: 'config', description: 'sweep c: 3 (not a list)',
    act: () => load('sweep:\n  c: 3\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['sweep "c"', 'non-empty list'] },
  },
  {
    id: 'config.sweep-duplicate', area: 'config', description: 'sweep c: [1, 2, 1]',
    act: () => load('sweep:\n  c: [1, 2, 1]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['sweep "c"', 'listed twice'] },
  },
  {
    id: 'config.sweep-override-bad', area: 'config', description: '--sweep mode=fast,warp as an override',
    act: () => load('', { sweep: [{ path: 'mode', values: ['fast', 'warp'] }] }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.mode', '"warp"'] },
  },

  // ---- seeds
  {
    id: 'config.seeds-not-integers', area: 'config', description: 'seeds: [0, 1.5]',
    act: () => load('seeds: [0, 1.5]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['seeds[1]', '1.5'] },
  },
  {
    id: 'config.seeds-negative', area: 'config', description: 'seeds: [3, -1]',
    act: () => load('seeds: [3, -1]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['seeds[1]', '-1'] },
  },
  {
    id: 'config.seeds-string', area: 'config', description: "seeds: 'three'",
    act: () => load("seeds: 'three'\n"),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['seeds', 'three'] },
  },
  {
    id: 'config.seeds-duplicate', area: 'config', description: 'seeds: [4, 4]',
    act: () => load('seeds: [4, 4]\n'),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['seeds', '4', 'twice'] },
  },

  // ---- gdln run (the CLI's main())
  {
    id: 'run.unknown-experiment', area: 'config-cli', description: 'gdln run no-such-exp',
    act: () => cliError(['run', 'no-such-exp', '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"no-such-exp"'] },
  },
  {
    id: 'run.shard-out-of-range', area: 'config-cli', description: 'gdln run toy.yaml --shard 2/2 (shards are 0-based)',
    act: () => cliError(['run', TOY, '--shard', '2/2', '--out', join(work, 'never-shard'), '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['--shard', '"2/2"', '0-based'] },
  },
  {
    id: 'run.unknown-backend', area: 'config-cli', description: 'gdln run toy.yaml --backend tpu',
    act: () => cliError(['run', TOY, '--backend', 'tpu', '--out', join(work, 'never-backend'), '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['backend', 'tpu'] },
  },
  {
    id: 'run.set-bad-value', area: 'config-cli', description: 'gdln run toy.yaml --set c=-5',
    act: () => cliError(['run', TOY, '--set', 'c=-5', '--out', join(work, 'never-set'), '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['params.c', '-5'] },
  },
  {
    id: 'run.seeds-flag-bad', area: 'config-cli', description: 'gdln run toy.yaml --seeds 1,x',
    act: () => cliError(['run', TOY, '--seeds', '1,x', '--out', join(work, 'never-seeds'), '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['--seeds', '1,x'] },
  },
  {
    id: 'run.sweep-flag-bad', area: 'config-cli', description: 'gdln run toy.yaml --sweep c (no values)',
    act: () => cliError(['run', TOY, '--sweep', 'c', '--out', join(work, 'never-sweep'), '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['--sweep', '"c"'] },
  },
  {
    id: 'run.yaml-syntax', area: 'config-cli', description: 'gdln run on a YAML file whose line 5 repeats the key c',
    act: () => cliError(['run', config(`${HEAD}params:\n  c: 1\n  c: 2\n`), '--quiet']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['line 5', 'invalid YAML', 'unique'] },
  },
  (() => {
    const out = join(work, 'results-taken');
    let before: string[] = [];
    return {
      id: 'run.other-config-without-force', area: 'config-cli', description: 'gdln run into a results folder that holds another config, without --force: refused, folder untouched',
      act: async () => {
        const first = await runCli(['run', TOY, '--out', out, '--quiet']);
        assert.equal(first.exitCode, 0, `the first run failed: ${first.stderr.join('\n')}`);
        before = fingerprint(out);
        return cliError(['run', TOY, '--set', 'c=3', '--out', out, '--quiet']);
      },
      expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['results-taken', 'different config', 'params.c', '--force'] },
      after: () => {
        assert.deepEqual(fingerprint(out), before, `${out} changed`);
        const siblings = readdirSync(work).filter((f) => f.startsWith('results-taken'));
        assert.deepEqual(siblings, ['results-taken'], 'nothing was moved aside');
      },
    } satisfies BadInputRow;
  })(),
  (() => {
    const out = join(work, 'results-is-file');
    return {
      id: 'run.out-is-a-file', area: 'config-cli', description: 'gdln run --out <a regular file>',
      act: () => {
        writeFileSync(out, 'not a folder');
        return cliError(['run', TOY, '--out', out, '--quiet']);
      },
      expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['results-is-file'] },
    } satisfies BadInputRow;
  })(),
];

