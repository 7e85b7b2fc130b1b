/**
 * The experiment framework: schema validation naming field paths, JSON/YAML configs,
 * sweep × seed expansion with stable ids, the runner's folder layout and statistics,
 * resume, abort, shards + merge, and worker threads.
 *
 * Test experiments live in a module written to a temp folder (toyModule below), so that
 * worker threads can load them by path, exactly as they would a user's experiment module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GdlnError } from '../../lib/errors.ts';
import { backendStatus } from '../../lib/backends/index.ts';
import { applyOverrides, loadConfig, parseConfigText, parseSeedsFlag, parseSetFlag, parseSweepFlag, resolveConfig, type ResolvedConfig } from '../../lib/experiments/framework/config.ts';
import { expandRuns, meanSe, parseShard, selectShard } from '../../lib/experiments/framework/expand.ts';
import { mergeResults } from '../../lib/experiments/framework/merge.ts';
import { runExperiment, type RunnerEvent } from '../../lib/experiments/framework/runner.ts';
import { validate } from '../../lib/experiments/framework/schema.ts';
import type { ExperimentDefinition, ObjectSchema } from '../../lib/experiments/framework/types.ts';

const ROOT = new URL('../../', import.meta.url);
const lib = (p: string) => new URL(`lib/${p}`, ROOT).href;

/** Source of the test experiments (plain JS; the toy GDLN imports the library by URL). */
const TOY_SOURCE = `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { GdlnAbortError } from '${lib('errors.ts')}';

const schema = {
  kind: 'object', doc: 'arith params',
  fields: {
    a: { kind: 'number', doc: 'a', min: 0, exclusiveMin: true },
    n: { kind: 'number', doc: 'n', integer: true, min: 1, max: 10 },
    opts: { kind: 'object', doc: 'options', fields: {
      mode: { kind: 'string', doc: 'mode', enum: ['plus', 'times'] },
      c: { kind: 'number', doc: 'c' },
      tags: { kind: 'array', doc: 'tags', items: { kind: 'string', doc: 'tag' }, maxItems: 3 },
    } },
    marker: { kind: 'string', doc: 'file: one line appended per execution' },
    failA: { kind: 'number', doc: 'fail once (per marker) when a equals this' },
    delayMs: { kind: 'number', doc: 'wait this long (abortable) when seed >= 1', integer: true, min: 0 },
  },
  optional: ['marker', 'failA', 'delayMs'],
};

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new GdlnAbortError('aborted', null));
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); reject(new GdlnAbortError('aborted', null)); }, { once: true });
  });
}

async function arithRun(p, ctx) {
  if (p.marker) appendFileSync(p.marker, 'a=' + p.a + ' seed=' + ctx.seed + '\\n');
  if (p.failA === p.a && p.marker && !existsSync(p.marker + '.failed')) {
    writeFileSync(p.marker + '.failed', 'x');
    throw new Error('planned failure at a=' + p.a);
  }
  if (p.delayMs && ctx.seed >= 1) await sleep(p.delayMs, ctx.signal);
  ctx.progress(0.5, 'half');
  ctx.log('ran a=' + p.a + ' seed=' + ctx.seed);
  const value = p.opts.mode === 'plus' ? p.a + p.opts.c * ctx.seed : p.a * p.opts.c * ctx.seed;
  const x = Array.from({ length: p.n }, (_, i) => i);
  return {
    metrics: { value, twice: 2 * p.a },
    series: { curve: { xLabel: 'step', x, columns: { y: x.map((i) => value * i), z: new Float64Array(x.map((i) => i * i)) } } },
    plots: [{ kind: 'line', id: 'curve', title: 'curve a=' + p.a, xLabel: 'step', yLabel: 'y', series: [{ name: 'y', x, y: x.map((i) => value * i) }] }],
    data: { note: 'arith' },
    backend: 'none',
  };
}

export const experiments = [
  {
    name: 'arith', title: 'Arithmetic toy', paper: 'none (test)', parameters: 'a, n, opts', description: 'value = a + c·seed',
    schema, defaults: { a: 1, n: 3, opts: { mode: 'plus', c: 1, tags: [] } }, defaultSeeds: [0, 1, 2],
    run: arithRun,
  },
  {
    name: 'arith-agg', title: 'Arithmetic toy with aggregate', paper: 'none (test)', parameters: 'a', description: 'aggregate() sums values',
    schema, defaults: { a: 1, n: 2, opts: { mode: 'times', c: 2, tags: [] } },
    run: arithRun,
    aggregate(runs) {
      const total = runs.reduce((s, r) => s + r.result.metrics.value, 0);
      return {
        metrics: { total, count: runs.length },
        plots: [{ kind: 'heatmap', id: 'agg-map', title: 'values', values: [runs.map((r) => r.result.metrics.value)] }],
        series: { all: { xLabel: 'run', x: runs.map((_, i) => i), columns: { value: runs.map((r) => r.result.metrics.value) } } },
      };
    },
  },
  {
    name: 'toy-gdln', title: 'XoR GDLN, a few steps', paper: 'none (test)', parameters: 'steps, lr', description: 'trains the XoR GDLN',
    schema: { kind: 'object', doc: 'toy', fields: {
      steps: { kind: 'number', doc: 'steps', integer: true, min: 1 },
      lr: { kind: 'number', doc: 'lr', min: 0, exclusiveMin: true },
      backend: { kind: 'string', doc: 'backend override', enum: ['js', 'cpu'] },
    } },
    defaults: { steps: 40, lr: 0.1, backend: 'js' },
    async run(p, ctx) {
      const { xorFourPathwayGdln } = await import('${lib('data/xor.ts')}');
      const { initWeights } = await import('${lib('init/initWeights.ts')}');
      const { train } = await import('${lib('engine/train.ts')}');
      const { graph, data } = xorFourPathwayGdln();
      const w = initWeights(graph, { seed: ctx.seed, scheme: { kind: 'gaussian', std: 0.1 } });
      const t = await train(graph, data, w, { steps: p.steps, lr: p.lr, backend: p.backend, signal: ctx.signal,
        onProgress: ({ step, steps }) => ctx.progress(step / steps) });
      return { metrics: { finalLoss: t.loss[t.loss.length - 1] }, series: { loss: { xLabel: 'step', x: t.steps, columns: { loss: t.loss } } }, plots: [], backend: t.backend };
    },
  },
];
`;

const work = mkdtempSync(join(tmpdir(), 'gdln-exp-'));
const toyModule = join(work, 'toy-experiments.mjs');
writeFileSync(toyModule, TOY_SOURCE);
const toy = (await import(pathToFileURL(toyModule).href)) as { experiments: ExperimentDefinition[] };
const arith = toy.experiments[0];
let dirCount = 0;
const freshDir = () => join(work, `out-${dirCount++}`);
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

async function arithConfig(extra: Record<string, unknown> = {}, name = 'arith'): Promise<{ config: ResolvedConfig; definition: ExperimentDefinition }> {
  const file = join(work, `cfg-${dirCount++}.json`);
  writeFileSync(file, JSON.stringify({ experiment: name, module: toyModule, ...extra }));
  const { config, definition } = await loadConfig(file);
  return { config, definition };
}

function expectInvalid(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GdlnError, `expected a GdlnError, got ${err}`);
    assert.equal(err.code, 'GDLN_INVALID_ARGUMENT');
    assert.match(err.message, message);
    return true;
  });
}

async function expectInvalidAsync(fn: () => Promise<unknown>, message: RegExp) {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof GdlnError, `expected a GdlnError, got ${err}`);
    assert.equal(err.code, 'GDLN_INVALID_ARGUMENT');
    assert.match(err.message, message);
    return true;
  });
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p).map((f) => `${name}/${f}`));
    else out.push(name);
  }
  return out.sort();
}

// ------------------------------------------------------------------ schema

test('schema errors name the full field path: bad type, range, integer, unknown field, enum, missing, array item', () => {
  const schema = arith.schema as ObjectSchema;
  const good = { a: 1, n: 3, opts: { mode: 'plus', c: 1, tags: [] } };
  assert.deepEqual(validate(good, schema, 'params'), good);
  expectInvalid(() => validate({ ...good, a: 'abc' }, schema, 'params'), /^params\.a: expected a number > 0 but received "abc"$/);
  expectInvalid(() => validate({ ...good, a: 0 }, schema, 'params'), /^params\.a: expected a number > 0 but received 0$/);
  expectInvalid(() => validate({ ...good, n: 11 }, schema, 'params'), /^params\.n: expected an integer >= 1 and <= 10 but received 11$/);
  expectInvalid(() => validate({ ...good, n: 2.5 }, schema, 'params'), /params\.n: expected an integer/);
  expectInvalid(() => validate({ ...good, bogus: 1 }, schema, 'params'), /^params\.bogus: unknown field \(known fields of params: a, n, opts, marker, failA, delayMs\)$/);
  expectInvalid(() => validate({ ...good, opts: { ...good.opts, mode: 'minus' } }, schema, 'params'), /^params\.opts\.mode: expected one of "plus", "times" but received "minus"$/);
  expectInvalid(() => validate({ a: 1, n: 3 }, schema, 'params'), /^params\.opts: required field is missing/);
  expectInvalid(() => validate({ ...good, opts: { ...good.opts, tags: ['x', 3] } }, schema, 'params'), /^params\.opts\.tags\[1\]: expected a string but received 3$/);
  expectInvalid(() => validate({ ...good, opts: { ...good.opts, tags: ['a', 'b', 'c', 'd'] } }, schema, 'params'), /params\.opts\.tags: expected at most 3 items/);
  expectInvalid(() => validate({ ...good, opts: [] }, schema, 'params'), /params\.opts: expected an object but received an array/);
});

test('config errors name the field: params, sweep path, sweep value, seeds, unknown top-level field, backend', () => {
  const def = arith;
  const base = { experiment: 'arith' };
  expectInvalid(() => resolveConfig({ ...base, params: { opts: { c: 'x' } } }, def), /^params\.opts\.c: expected a number but received "x"$/);
  expectInvalid(() => resolveConfig({ ...base, sweep: { 'opts.nope': [1, 2] } }, def), /^sweep "opts\.nope": params\.opts\.nope is not a parameter \(known fields of params\.opts: mode, c, tags\)$/);
  expectInvalid(() => resolveConfig({ ...base, sweep: { 'a.b': [1] } }, def), /sweep "a\.b": params\.a is a number > 0, not an object/);
  expectInvalid(() => resolveConfig({ ...base, sweep: { a: [1, -2] } }, def), /^params\.a: expected a number > 0 but received -2$/);
  expectInvalid(() => resolveConfig({ ...base, sweep: { a: [] } }, def), /sweep "a": expected a non-empty list/);
  expectInvalid(() => resolveConfig({ ...base, sweep: { a: [1, 1] } }, def), /sweep "a": value 1 is listed twice/);
  expectInvalid(() => resolveConfig({ ...base, seeds: [0, -1] }, def), /^seeds\[1\]: expected an integer/);
  expectInvalid(() => resolveConfig({ ...base, seeds: 0 }, def), /^seeds: expected a count/);
  expectInvalid(() => resolveConfig({ ...base, seeds: [1, 1] }, def), /seed 1 is listed twice/);
  expectInvalid(() => resolveConfig({ ...base, sweeps: {} }, def), /^sweeps: unknown config field/);
  expectInvalid(() => resolveConfig({ ...base, backend: 'tpu' }, def), /^backend: expected one of "auto", "js", "cpu", "cuda" but received "tpu"$/);
  expectInvalid(() => resolveConfig({ ...base, workers: 0 }, def), /^workers: expected an integer >= 1/);
  const { config } = resolveConfig({ ...base, params: { opts: { c: 3 } }, seeds: 2 }, def);
  assert.deepEqual(config.params, { a: 1, n: 3, opts: { mode: 'plus', c: 3, tags: [] } }, 'params are deep-merged over the defaults');
  assert.deepEqual(config.seeds, [0, 1]);
  assert.deepEqual(resolveConfig(base, def).config.seeds, [0, 1, 2], 'defaultSeeds when the config gives none');
});

test('YAML and JSON configs load identically; syntax errors name the file and line', async () => {
  const yaml = join(work, 'same.yaml');
  const json = join(work, 'same.json');
  writeFileSync(
    yaml,
    `# a comment\nexperiment: arith\nmodule: ./toy-experiments.mjs\nparams:\n  a: 2.5\n  opts:\n    mode: times\nseeds: [0, 3]\nsweep:\n  n: [1, 2]\n  opts.c: [0.5, 4]\nbackend: js\n`,
  );
  writeFileSync(json, JSON.stringify({ experiment: 'arith', module: './toy-experiments.mjs', params: { a: 2.5, opts: { mode: 'times' } }, seeds: [0, 3], sweep: { n: [1, 2], 'opts.c': [0.5, 4] }, backend: 'js' }, null, 2));
  const a = await loadConfig(yaml);
  const b = await loadConfig(json);
  assert.deepEqual(a.config, b.config);
  assert.equal(a.config.module, toyModule, 'module is resolved against the config file folder');
  assert.equal(a.definition, arith);

  expectInvalid(() => parseConfigText('experiment: arith\nparams:\n  a: [1, 2\n  b: 3\n', 'bad.yaml'), /^bad\.yaml: line [34], column \d+: invalid YAML/);
  expectInvalid(() => parseConfigText('experiment: arith\nexperiment: reln\n', 'dup.yaml'), /^dup\.yaml: line 2, column 1: invalid YAML \(Map keys must be unique\)/);
  expectInvalid(() => parseConfigText('{\n  "experiment": "arith",\n  "seeds": [1, 2,]\n}\n', 'bad.json'), /^bad\.json: line 3, column \d+: invalid JSON/);
  expectInvalid(() => parseConfigText('{\n "a": tru }', 'bad2.json'), /^bad2\.json: line 2, column 7: invalid JSON/);
  const badFile = join(work, 'broken.yaml');
  writeFileSync(badFile, 'experiment: arith\nseeds: [0, 1\n');
  await expectInvalidAsync(() => loadConfig(badFile), /broken\.yaml: line \d+/);
  await expectInvalidAsync(() => loadConfig(join(work, 'missing.yaml')), /missing\.yaml: cannot read the config file \(ENOENT\)/);
  await expectInvalidAsync(() => loadConfig('no-such-experiment'), /"no-such-experiment" is neither a config file nor a built-in experiment/);
});

test('command-line overrides: --set (JSON or string), --sweep (bracket-aware), --seeds (count or list)', async () => {
  assert.deepEqual(parseSetFlag('opts.c=2.5'), { path: 'opts.c', value: 2.5 });
  assert.deepEqual(parseSetFlag('params.opts.mode=times'), { path: 'opts.mode', value: 'times' });
  assert.deepEqual(parseSetFlag('opts.tags=["x","y"]'), { path: 'opts.tags', value: ['x', 'y'] });
  assert.deepEqual(parseSweepFlag('n=1,2,4'), { path: 'n', values: [1, 2, 4] });
  assert.deepEqual(parseSweepFlag('opts.tags=["a","b"],[]'), { path: 'opts.tags', values: [['a', 'b'], []] });
  assert.deepEqual(parseSweepFlag('opts.mode=plus,times'), { path: 'opts.mode', values: ['plus', 'times'] });
  assert.equal(parseSeedsFlag('5'), 5);
  assert.deepEqual(parseSeedsFlag('0,2,7'), [0, 2, 7]);
  assert.deepEqual(parseSeedsFlag('7,'), [7]);
  expectInvalid(() => parseSeedsFlag('a,b'), /--seeds/);
  expectInvalid(() => parseSetFlag('novalue'), /--set: expected path=value/);
  expectInvalid(() => parseSweepFlag('n='), /--sweep/);
  const raw = applyOverrides({ experiment: 'arith', params: { opts: { c: 2 } }, sweep: { n: [1] } }, {
    set: [parseSetFlag('opts.mode=times')],
    sweep: [parseSweepFlag('a=1,2')],
    seeds: 2,
  });
  const { config } = resolveConfig(raw, arith);
  assert.deepEqual(config.params.opts, { mode: 'times', c: 2, tags: [] });
  assert.deepEqual(config.sweep, { n: [1], a: [1, 2] });
  expectInvalid(() => resolveConfig(applyOverrides({ experiment: 'arith' }, { set: [parseSetFlag('opts.modes=x')] }), arith), /^params\.opts\.modes: unknown field/);
});

// ------------------------------------------------------------------ expansion

test('sweep × seeds expansion: cartesian grid, first path slowest, stable ids that change with the params', () => {
  const { config } = resolveConfig({ experiment: 'arith', sweep: { n: [1, 2], 'opts.mode': ['plus', 'times', 'plus2'].slice(0, 2) }, seeds: [5, 9] }, arith);
  const runs = expandRuns(config);
  assert.equal(runs.length, 8);
  assert.deepEqual(
    runs.map((r) => [r.point, r.seed]),
    [
      [{ n: 1, 'opts.mode': 'plus' }, 5], [{ n: 1, 'opts.mode': 'plus' }, 9],
      [{ n: 1, 'opts.mode': 'times' }, 5], [{ n: 1, 'opts.mode': 'times' }, 9],
      [{ n: 2, 'opts.mode': 'plus' }, 5], [{ n: 2, 'opts.mode': 'plus' }, 9],
      [{ n: 2, 'opts.mode': 'times' }, 5], [{ n: 2, 'opts.mode': 'times' }, 9],
    ],
  );
  assert.deepEqual(runs[3].params, { a: 1, n: 1, opts: { mode: 'times', c: 1, tags: [] } });
  assert.match(runs[3].id, /^p1-s9-[0-9a-f]{8}$/);
  assert.equal(new Set(runs.map((r) => r.id)).size, 8);
  assert.deepEqual(expandRuns(config).map((r) => r.id), runs.map((r) => r.id), 'ids are stable');
  // the same point index with different params gets a different id (no aliasing)
  const other = expandRuns(resolveConfig({ experiment: 'arith', sweep: { n: [3, 2], 'opts.mode': ['plus', 'times'] }, seeds: [5, 9] }, arith).config);
  assert.notEqual(other[0].id, runs[0].id);
  assert.equal(other[4].id, runs[4].id, 'identical runs keep their id');
  // shards: 0-based, index mod n
  assert.deepEqual(parseShard('1/3'), { index: 1, count: 3 });
  assert.deepEqual(selectShard(runs, { index: 1, count: 3 }).map((r) => r.index), [1, 4, 7]);
  expectInvalid(() => parseShard('3/3'), /--shard: expected i\/n with 0 <= i < n/);
  expectInvalid(() => parseShard('1-2'), /--shard/);
});

test('meanSe: mean and standard error (n−1 sd / √n); se 0 for one value', () => {
  assert.deepEqual(meanSe([4]), { mean: 4, se: 0, n: 1 });
  const r = meanSe([1, 2, 3, 6]);
  assert.equal(r.mean, 3);
  assert.ok(Math.abs(r.se - Math.sqrt(14 / 3 / 4)) < 1e-15);
  assert.equal(meanSe([1, NaN, 3]).n, 2);
});

// ------------------------------------------------------------------ runner

test('a sweep end to end writes every file, with correct means and standard errors', async () => {
  const out = freshDir();
  const { config, definition } = await arithConfig({ sweep: { a: [1, 2, 4] }, seeds: [0, 1, 2], params: { opts: { c: 3 } } });
  const events: RunnerEvent[] = [];
  const s = await runExperiment({ config, definition, out, workers: 1, onEvent: (e) => events.push(e) });
  assert.equal(s.done, 9);
  assert.equal(s.complete, true);
  assert.equal(s.ran.length, 9);
  assert.deepEqual(s.failed, []);
  assert.ok(events.some((e) => e.type === 'progress' && e.fraction === 0.5));

  const runs = expandRuns(config);
  const files = listFiles(out);
  for (const r of runs) {
    for (const f of ['result.json', 'curve.csv', 'curve.svg', 'curve.png', 'log.txt']) assert.ok(files.includes(`runs/${r.id}/${f}`), `runs/${r.id}/${f}`);
  }
  for (const f of ['config.json', 'results.json', 'summary.csv', 'report.html', 'plots/value-vs-a.svg', 'plots/value-vs-a.png', 'plots/twice-vs-a.svg']) assert.ok(files.includes(f), f);
  assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary files');

  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.config, JSON.parse(JSON.stringify(config)));
  assert.equal(cfg.experiment.paper, 'none (test)');
  assert.match(cfg.gdln, /^\d+\.\d+\.\d+/);
  assert.equal(cfg.node, process.version);

  const one = JSON.parse(readFileSync(join(out, 'runs', runs[5].id, 'result.json'), 'utf8'));
  assert.equal(one.seed, 2);
  assert.deepEqual(one.point, { a: 2 });
  assert.equal(one.params.a, 2);
  assert.deepEqual(one.metrics, { value: 2 + 3 * 2, twice: 4 });
  assert.equal(one.backend, 'none');
  assert.deepEqual(one.data, { note: 'arith' });
  assert.equal(one.plots[0].id, 'curve');
  assert.ok(one.seconds >= 0);
  assert.equal(readFileSync(join(out, 'runs', runs[5].id, 'curve.csv'), 'utf8'), 'step,y,z\n0,0,0\n1,8,1\n2,16,4\n');
  assert.equal(readFileSync(join(out, 'runs', runs[5].id, 'log.txt'), 'utf8'), 'ran a=2 seed=2\n');

  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.experiment, 'arith');
  assert.equal(results.paper, 'none (test)');
  assert.equal(results.parameters, 'a, n, opts');
  assert.equal(results.complete, true);
  assert.equal(results.partial, false);
  assert.equal(results.runs.length, 9);
  assert.deepEqual(Object.keys(results.runs[0]).sort(), ['backend', 'id', 'metrics', 'point', 'seconds', 'seed']);
  // value = a + 3·seed over seeds 0,1,2: mean a + 3, sd 3, se 3/√3 = √3
  assert.equal(results.points.length, 3);
  for (const [k, a] of [1, 2, 4].entries()) {
    const p = results.points[k];
    assert.deepEqual(p.point, { a });
    assert.equal(p.n, 3);
    assert.equal(p.metrics.value.mean, a + 3);
    assert.ok(Math.abs(p.metrics.value.se - Math.sqrt(3)) < 1e-12);
    assert.deepEqual(p.metrics.twice, { mean: 2 * a, se: 0, n: 3 });
  }
  const plot = results.aggregate.plots.find((p: { id: string }) => p.id === 'value-vs-a');
  assert.deepEqual(plot.series[0].x, [1, 2, 4]);
  assert.deepEqual(plot.series[0].y, [4, 5, 7]);
  const csv = readFileSync(join(out, 'summary.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'a,n,value_mean,value_se,twice_mean,twice_se');
  assert.equal(csv.length, 4);
  assert.deepEqual(csv[2].split(',').map(Number).slice(0, 3), [2, 3, 5]);
  assert.ok(Math.abs(Number(csv[2].split(',')[3]) - Math.sqrt(3)) < 1e-12);
});

test("the experiment's aggregate() makes the folder's plots, series and metrics", async () => {
  const out = freshDir();
  const { config, definition } = await arithConfig({ sweep: { a: [1, 2] }, seeds: 2 }, 'arith-agg');
  const s = await runExperiment({ config, definition, out, workers: 1 });
  assert.equal(s.done, 4);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  // value = a·2·seed: seeds 0,1 → 0, 2a; total = 2 + 4
  assert.deepEqual(results.aggregate.metrics, { total: 6, count: 4 });
  assert.deepEqual(results.aggregate.plots.map((p: { id: string }) => p.id), ['agg-map']);
  assert.ok(existsSync(join(out, 'plots', 'agg-map.svg')) && existsSync(join(out, 'plots', 'agg-map.png')));
  assert.ok(!existsSync(join(out, 'plots', 'value-vs-a.svg')), 'no default plot when the experiment aggregates');
  assert.equal(readFileSync(join(out, 'series', 'all.csv'), 'utf8'), 'run,value\n0,0\n1,2\n2,0\n3,4\n');
});

test('resume: a failed run is recorded and retried; finished runs are never redone', async () => {
  const out = freshDir();
  const marker = join(work, 'resume-marker.txt');
  const { config, definition } = await arithConfig({ sweep: { a: [1, 2, 3] }, seeds: 2, params: { marker, failA: 2 } });
  const first = await runExperiment({ config, definition, out, workers: 1 });
  assert.equal(first.ran.length, 5);
  assert.deepEqual(first.failed.map((f) => f.id), [expandRuns(config)[2].id], 'the first run at a = 2 fails (once)');
  const failedId = first.failed[0].id;
  const err = JSON.parse(readFileSync(join(out, 'runs', failedId, 'error.json'), 'utf8'));
  assert.equal(err.code, 'GDLN_INTERNAL');
  assert.match(err.message, /planned failure at a=2/);
  assert.ok(!existsSync(join(out, 'runs', failedId, 'result.json')));
  let results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.complete, false);
  assert.deepEqual(results.failed.map((f: { id: string }) => f.id), [failedId]);
  assert.equal(readFileSync(marker, 'utf8').trim().split('\n').length, 6);

  const doneId = first.ran[0];
  const mtime = statSync(join(out, 'runs', doneId, 'result.json')).mtimeMs;
  const second = await runExperiment({ config, definition, out, workers: 1 });
  assert.deepEqual(second.ran, [failedId], 'only the failed run executes');
  assert.equal(second.skipped.length, 5);
  assert.equal(readFileSync(marker, 'utf8').trim().split('\n').length, 7);
  assert.equal(statSync(join(out, 'runs', doneId, 'result.json')).mtimeMs, mtime, 'finished runs untouched');
  assert.ok(!existsSync(join(out, 'runs', failedId, 'error.json')), 'the stale error.json goes once the run succeeds');
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.complete, true);

  // a deleted result.json is redone, nothing else
  rmSync(join(out, 'runs', doneId, 'result.json'));
  const third = await runExperiment({ config, definition, out, workers: 1 });
  assert.deepEqual(third.ran, [doneId]);
  assert.equal(readFileSync(marker, 'utf8').trim().split('\n').length, 8);
});

test('a different config in the same folder is refused; --force moves the old folder aside', async () => {
  const out = freshDir();
  const a = await arithConfig({ seeds: 1 });
  await runExperiment({ ...a, out, workers: 1, report: false });
  const b = await arithConfig({ seeds: 1, params: { a: 5 } });
  await expectInvalidAsync(() => runExperiment({ ...b, out, workers: 1 }), /holds results of a different config \(differs at params\.a\).*--force/);
  const s = await runExperiment({ ...b, out, workers: 1, force: true, report: false });
  assert.ok(s.movedAside && existsSync(join(s.movedAside, 'results.json')), 'the old results are kept');
  assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).config.params.a, 5);
  assert.equal(s.ran.length, 1);
  // a non-empty folder that is not a results folder is refused too
  const junk = freshDir();
  await runExperiment({ ...a, out: join(junk, 'x'), workers: 1, report: false });
  writeFileSync(join(junk, 'notes.txt'), 'mine');
  await expectInvalidAsync(() => runExperiment({ ...a, out: junk, workers: 1 }), /is not empty and is not a gdln results folder/);
});

test('abort mid-sweep keeps finished runs, leaves no partial or temporary files, marks results partial', async () => {
  const out = freshDir();
  const { config, definition } = await arithConfig({ seeds: 3, params: { delayMs: 20000 } });
  const controller = new AbortController();
  const s = await runExperiment({
    config, definition, out, workers: 1, signal: controller.signal,
    onEvent: (e) => { if (e.type === 'start' && e.index === 1) setTimeout(() => controller.abort(), 20); },
  });
  assert.equal(s.aborted, true);
  assert.deepEqual(s.ran, [expandRuns(config)[0].id]);
  assert.deepEqual(s.failed, [], 'an aborted run is not a failure');
  const files = listFiles(out);
  assert.ok(!files.some((f) => f.includes('.tmp')), 'no temporary files');
  assert.deepEqual(files.filter((f) => f.endsWith('result.json')), [`runs/${s.ran[0]}/result.json`]);
  assert.ok(!files.some((f) => f.endsWith('error.json')));
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.partial, true);
  assert.equal(results.done, 1);
  assert.equal(results.missing.length, 2);
});

test('shards 0/2 and 1/2 in two folders, merged, equal the unsharded run; conflicts and config mismatches are named', async () => {
  const { config, definition } = await arithConfig({ sweep: { a: [1, 2, 3] }, seeds: [0, 1] });
  const whole = freshDir();
  const s0 = freshDir();
  const s1 = freshDir();
  const merged = freshDir();
  await runExperiment({ config, definition, out: whole, workers: 1 });
  const a = await runExperiment({ config, definition, out: s0, workers: 1, shard: { index: 0, count: 2 }, report: false });
  const b = await runExperiment({ config, definition, out: s1, workers: 1, shard: { index: 1, count: 2 }, report: false });
  assert.equal(a.ran.length, 3);
  assert.equal(b.ran.length, 3);
  assert.equal(a.complete, false);
  const m = await mergeResults([s0, s1], merged);
  assert.equal(m.complete, true);
  assert.equal(m.copied.length, 6);
  const strip = (dir: string) => {
    const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    return { points: r.points, aggregate: r.aggregate, runs: r.runs.map((x: { id: string; metrics: unknown }) => [x.id, x.metrics]), complete: r.complete };
  };
  assert.deepEqual(strip(merged), strip(whole));
  assert.equal(readFileSync(join(merged, 'summary.csv'), 'utf8'), readFileSync(join(whole, 'summary.csv'), 'utf8'));
  assert.ok(existsSync(join(merged, 'report.html')));
  for (const id of m.copied) assert.ok(existsSync(join(merged, 'runs', id, 'curve.csv')));

  // merging again into one of the inputs is fine (identical copies)
  const again = await mergeResults([s0, s1, merged], s0, { report: false });
  assert.equal(again.complete, true);
  // the same run id with different results → named
  const id = a.ran[0];
  const p = join(s1, 'runs', id);
  const stored = JSON.parse(readFileSync(join(s0, 'runs', id, 'result.json'), 'utf8'));
  stored.metrics.value += 1;
  const { writeJsonAtomic } = await import('../../lib/report/atomicWrite.ts');
  writeJsonAtomic(join(p, 'result.json'), stored);
  await expectInvalidAsync(() => mergeResults([whole, s1], freshDir()), new RegExp(`run ${id} has different results in different folders`));
  const otherCfg = await arithConfig({ sweep: { a: [1, 2, 3] }, seeds: [0, 1, 2] });
  const other = freshDir();
  await runExperiment({ ...otherCfg, out: other, workers: 1, shard: { index: 0, count: 9 }, report: false });
  await expectInvalidAsync(() => mergeResults([whole, other], freshDir()), /was run with a different config .*differs at seeds/);
  await expectInvalidAsync(() => mergeResults([work], freshDir()), /is not a gdln results folder/);
});

test('worker threads: runs in parallel workers (toy GDLN training), the experiment loaded by module path', async () => {
  const out = freshDir();
  const file = join(work, 'toy.yaml');
  writeFileSync(file, `experiment: toy-gdln\nmodule: ${toyModule}\nsweep:\n  lr: [0.05, 0.2]\nseeds: 2\n`);
  const { config, definition } = await loadConfig(file);
  const events: RunnerEvent[] = [];
  const s = await runExperiment({ config, definition, out, workers: 2, onEvent: (e) => events.push(e), report: false });
  assert.equal(s.workers, 2);
  assert.equal(s.done, 4, JSON.stringify(s.failed));
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  for (const r of results.runs) {
    assert.equal(r.backend, 'js');
    assert.ok(r.metrics.finalLoss > 0 && r.metrics.finalLoss < 1);
  }
  // larger lr → lower loss after 40 steps
  assert.ok(results.points[1].metrics.finalLoss.mean < results.points[0].metrics.finalLoss.mean);
  assert.ok(readFileSync(join(out, 'runs', s.ran[0], 'loss.csv'), 'utf8').startsWith('step,loss\n0,'));
  assert.ok(events.some((e) => e.type === 'start'));

  // same results in this thread (determinism across threads)
  const inProc = freshDir();
  await runExperiment({ config, definition, out: inProc, workers: 1, report: false });
  const r2 = JSON.parse(readFileSync(join(inProc, 'results.json'), 'utf8'));
  assert.deepEqual(r2.points, results.points);

  // the native addon inside worker threads, when this install has it
  if (backendStatus().find((b) => b.name === 'cpu')?.available) {
    const native = await loadConfig(file, { set: [{ path: 'backend', value: 'cpu' }] });
    const nOut = freshDir();
    const ns = await runExperiment({ config: native.config, definition, out: nOut, workers: 2, report: false });
    assert.equal(ns.done, 4, JSON.stringify(ns.failed));
    const nr = JSON.parse(readFileSync(join(nOut, 'results.json'), 'utf8'));
    assert.ok(nr.runs.every((r: { backend: string }) => r.backend === 'cpu'));
    for (const [k, p] of nr.points.entries()) assert.ok(Math.abs(p.metrics.finalLoss.mean - results.points[k].metrics.finalLoss.mean) < 1e-9);
  }
});

test('worker threads: an abort stops running runs; a module that fails to load is a typed error', async () => {
  const out = freshDir();
  const { config, definition } = await arithConfig({ seeds: [1, 2, 3, 4], params: { delayMs: 20000 } });
  const controller = new AbortController();
  let started = 0;
  const t0 = Date.now();
  const s = await runExperiment({
    config, definition, out, workers: 2, signal: controller.signal, report: false,
    onEvent: (e) => { if (e.type === 'start' && ++started === 2) setTimeout(() => controller.abort(), 50); },
  });
  assert.ok(Date.now() - t0 < 15000, 'aborted promptly');
  assert.equal(s.aborted, true);
  assert.equal(s.done, 0);
  assert.ok(!listFiles(out).some((f) => f.includes('.tmp') || f.endsWith('error.json') || f.startsWith('runs/')));
  assert.equal(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).partial, true);

  const badModule = join(work, 'bad-module.mjs');
  writeFileSync(badModule, 'export const experiments = [];\n');
  const cfg = { ...config, module: badModule };
  await expectInvalidAsync(() => runExperiment({ config: cfg, definition, out: freshDir(), workers: 2, report: false }), /has no experiment "arith"/);
});
