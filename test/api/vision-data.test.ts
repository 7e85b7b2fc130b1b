/** Vision datasets (Saxe et al. 2022, Sec. 5, App. D): file loaders, transforms, the transformed routing task. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GdlnError } from '../../lib/errors.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';
import { lossAndGradient } from '../../lib/engine/train.ts';
import {
  loadIdx, loadMnistLike, loadCifar10, loadCifar10Batch, loadNpy, loadCsv, loadFeatures, FASHION_MNIST_DEBIAN_DIR,
  rotateImage, rotationAngles, pixelPermutations, permuteVector, isPermutation, lexicographicPermutations, labelPermutations,
  syntheticDigits, transformedRoutingTask, routeAccuracy, estimateTransformedRoutingBytes,
} from '../../lib/data/vision/index.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gdln-vision-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
};

/** IDX bytes: magic 00 00 type ndims, big-endian dims, payload. */
function idx(type: number, dims: number[], payload: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, payload]);
}

/** Asserts a GdlnError with the code and every fragment in its message. */
function throwsGdln(fn: () => unknown, code: string, ...fragments: string[]) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GdlnError, `not a GdlnError: ${err}`);
    assert.equal(err.code, code, err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

function writeMnist(sub: string, n: number, gz: boolean, labelsN = n, badLabel = false) {
  const d = path.join(dir, sub);
  fs.mkdirSync(d, { recursive: true });
  const pixels = Uint8Array.from({ length: n * 4 }, (_, k) => (k * 37) % 256);
  const labels = Uint8Array.from({ length: labelsN }, (_, k) => (badLabel && k === 1 ? 12 : k % 10));
  const z = (b: Uint8Array) => (gz ? gzipSync(b) : b);
  fs.writeFileSync(path.join(d, `t10k-images-idx3-ubyte${gz ? '.gz' : ''}`), z(idx(0x08, [n, 2, 2], pixels)));
  fs.writeFileSync(path.join(d, `t10k-labels-idx1-ubyte${gz ? '.gz' : ''}`), z(idx(0x08, [labelsN], labels)));
  return { d, pixels, labels };
}

test('IDX: raw and gzip files load back exactly; other element types are big-endian', () => {
  const payload = Uint8Array.from({ length: 24 }, (_, k) => k * 10);
  const raw = loadIdx(file('a.idx', idx(0x08, [2, 3, 4], payload)));
  assert.deepEqual(raw.dims, [2, 3, 4]);
  assert.deepEqual(Array.from(raw.data), Array.from(payload));
  const gz = loadIdx(file('a.idx.gz', gzipSync(idx(0x08, [2, 3, 4], payload))));
  assert.deepEqual(Array.from(gz.data), Array.from(payload));
  const f = Buffer.alloc(8);
  f.writeFloatBE(1.5, 0);
  f.writeFloatBE(-2.25, 4);
  assert.deepEqual(Array.from(loadIdx(file('f.idx', idx(0x0d, [2], f))).data), [1.5, -2.25]);
  const i = Buffer.alloc(4);
  i.writeInt16BE(-300, 0);
  i.writeInt16BE(7, 2);
  assert.deepEqual(Array.from(loadIdx(file('i.idx', idx(0x0b, [2], i))).data), [-300, 7]);
});

test('IDX defects: truncated, bad magic, trailing bytes, unknown type, missing file', () => {
  const p = file('trunc.idx', idx(0x08, [10, 28, 28], new Uint8Array(1200)));
  throwsGdln(() => loadIdx(p), 'GDLN_IO', p, 'truncated', 'expected 7840 bytes of data', 'at offset 16', 'found 1200');
  const bad = file('bad.idx', Uint8Array.from([0x12, 0x34, 8, 1, 0, 0, 0, 1, 5]));
  throwsGdln(() => loadIdx(bad), 'GDLN_IO', bad, 'bad magic 0x12340801', 'offset 0');
  const extra = file('extra.idx', idx(0x08, [3], new Uint8Array(5)));
  throwsGdln(() => loadIdx(extra), 'GDLN_IO', extra, '2 trailing bytes', 'offset 11');
  const type = file('type.idx', idx(0x0a, [3], new Uint8Array(3)));
  throwsGdln(() => loadIdx(type), 'GDLN_IO', type, 'unknown IDX element type 0x0a', 'offset 2');
  const gone = path.join(dir, 'nope.idx');
  throwsGdln(() => loadIdx(gone), 'GDLN_IO', gone, 'no such file');
  try {
    loadIdx(p);
  } catch (err) {
    assert.deepEqual({ file: (err as GdlnError).details.file, offset: (err as GdlnError).details.offset }, { file: p, offset: 16 });
  }
});

test('loadMnistLike: raw and gz directories, limit, count and label checks, missing directory', () => {
  for (const gz of [false, true]) {
    const { d, pixels, labels } = writeMnist(gz ? 'mgz' : 'mraw', 5, gz);
    const set = loadMnistLike({ dir: d, split: 'test' });
    assert.equal(set.n, 5);
    assert.equal(set.images.length, 20);
    assert.deepEqual(Array.from(set.labels), Array.from(labels));
    set.images.forEach((v, k) => assert.equal(v, Math.fround(pixels[k] / 255)));
    assert.equal(loadMnistLike({ dir: d, split: 'test', limit: 2 }).images.length, 8);
  }
  const mismatch = writeMnist('mcount', 5, false, 4).d;
  throwsGdln(() => loadMnistLike({ dir: mismatch, split: 'test' }), 'GDLN_IO', 'as many labels as images', 't10k-labels-idx1-ubyte');
  const badLabel = writeMnist('mlabel', 5, false, 5, true).d;
  throwsGdln(() => loadMnistLike({ dir: badLabel, split: 'test' }), 'GDLN_IO', 'label 12 out of range', 'offset 9');
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(empty);
  throwsGdln(() => loadMnistLike({ dir: empty, split: 'train' }), 'GDLN_IO', empty, 'train-images-idx3-ubyte');
});

test('Fashion-MNIST from Debian dataset-fashion-mnist: first 100 test images', (t) => {
  if (!fs.existsSync(path.join(FASHION_MNIST_DEBIAN_DIR, 't10k-images-idx3-ubyte.gz'))) {
    t.skip(`Fashion-MNIST not installed at ${FASHION_MNIST_DEBIAN_DIR} (apt install dataset-fashion-mnist)`);
    return;
  }
  const set = loadMnistLike({ split: 'test', limit: 100 });
  assert.equal(set.n, 100);
  assert.equal(set.images.length, 100 * 784);
  assert.ok(set.labels.every((y) => y <= 9));
  assert.ok(new Set(set.labels).size >= 8);
  assert.ok(set.images.every((v) => v >= 0 && v <= 1));
  assert.equal(set.labels[0], 9); // Fashion-MNIST test image 0 is an ankle boot
});

test('CIFAR-10 batches: exact load, multi-batch train split, bad length, bad label', () => {
  const cdir = path.join(dir, 'cifar');
  fs.mkdirSync(cdir);
  const rec = (label: number, seed: number) => Uint8Array.from({ length: 3073 }, (_, k) => (k === 0 ? label : (k * seed) % 256));
  fs.writeFileSync(path.join(cdir, 'test_batch.bin'), Buffer.concat([rec(3, 7), rec(9, 11)]));
  for (let b = 1; b <= 5; b++) fs.writeFileSync(path.join(cdir, `data_batch_${b}.bin`), rec(b, b + 1));
  const test = loadCifar10({ dir: cdir, split: 'test' });
  assert.deepEqual(Array.from(test.labels), [3, 9]);
  assert.equal(test.images.length, 2 * 3072);
  assert.equal(test.images[3072 + 5], Math.fround(((6 * 11) % 256) / 255));
  const train = loadCifar10({ dir: cdir, split: 'train', limit: 4 });
  assert.deepEqual(Array.from(train.labels), [1, 2, 3, 4]);
  const short = file('short.bin', Buffer.concat([rec(1, 3), new Uint8Array(100)]));
  throwsGdln(() => loadCifar10Batch(short), 'GDLN_IO', short, 'not a positive multiple of the 3073-byte record', 'offset 3073');
  const label = file('label.bin', Buffer.concat([rec(1, 3), rec(10, 3)]));
  throwsGdln(() => loadCifar10Batch(label), 'GDLN_IO', label, 'label 10 out of range', 'offset 3073');
});

/** .npy bytes with the given header dict, version and payload. */
function npy(dict: string, payload: Uint8Array, major = 1): Uint8Array {
  const lenBytes = major === 1 ? 2 : 4;
  let header = dict;
  while ((8 + lenBytes + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.alloc(8 + lenBytes);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(pre);
  if (major === 1) pre.writeUInt16LE(header.length, 8);
  else pre.writeUInt32LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), payload]);
}

test('.npy: float32/float64 v1–v3 and int labels load exactly; defects are named', () => {
  const f32 = new Float32Array([1.5, -2, 3.25, 0, 7, 8]);
  const a = loadNpy(file('a.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(f32.buffer))));
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data), Array.from(f32));
  const f64 = new Float64Array([Math.PI, -1e-300]);
  for (const v of [2, 3]) {
    const b = loadNpy(file(`b${v}.npy`, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(f64.buffer), v)));
    assert.deepEqual(Array.from(b.data), Array.from(f64));
  }
  const i64 = new BigInt64Array([0n, 9n, 4n]);
  assert.deepEqual(Array.from(loadNpy(file('l.npy', npy("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(i64.buffer)))).data), [0, 9, 4]);

  const fort = file('fort.npy', npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(f32.buffer)));
  throwsGdln(() => loadNpy(fort), 'GDLN_UNSUPPORTED', fort, 'fortran_order');
  const big = file('big.npy', npy("{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", new Uint8Array(f32.buffer)));
  throwsGdln(() => loadNpy(big), 'GDLN_UNSUPPORTED', big, 'big-endian');
  const cplx = file('c.npy', npy("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(f32.buffer)));
  throwsGdln(() => loadNpy(cplx), 'GDLN_UNSUPPORTED', cplx, 'dtype <c8');
  const hdr = file('hdr.npy', npy("{'descr': '<f4', 'shape': (6,), }", new Uint8Array(f32.buffer)));
  throwsGdln(() => loadNpy(hdr), 'GDLN_IO', hdr, "bad header: no 'fortran_order'", 'offset 10');
  const trunc = file('trunc.npy', npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 3), }", new Uint8Array(f32.buffer)));
  throwsGdln(() => loadNpy(trunc), 'GDLN_IO', trunc, 'truncated', 'expected 120 bytes', 'found 24', 'offset 128');
  const magic = file('magic.npy', 'not numpy at all');
  throwsGdln(() => loadNpy(magic), 'GDLN_IO', magic, 'bad magic', 'offset 0');
});

test('CSV: header auto-detection, exact values, bad cell / non-finite / ragged rows by line and column', () => {
  const t = loadCsv(file('a.csv', 'f0,f1,label\n0.5,1e-3,2\n\n-1,2,0\n'));
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(t.columns, ['f0', 'f1', 'label']);
  assert.deepEqual(Array.from(t.data), [0.5, 1e-3, 2, -1, 2, 0]);
  assert.deepEqual(loadCsv(file('b.csv', '1,2\n3,4\n')).shape, [2, 2]);
  const bad = file('bad.csv', 'a,b\n1,2\n3,x4\n');
  throwsGdln(() => loadCsv(bad), 'GDLN_IO', bad, 'line 3, column 2', '"x4"');
  const nan = file('nan.csv', '1,2\nNaN,4\n');
  throwsGdln(() => loadCsv(nan), 'GDLN_NON_FINITE', nan, 'line 2, column 1');
  const inf = file('inf.csv', '1,-inf\n');
  throwsGdln(() => loadCsv(inf), 'GDLN_NON_FINITE', inf, 'line 1, column 2');
  const ragged = file('ragged.csv', '1,2\n3\n');
  throwsGdln(() => loadCsv(ragged), 'GDLN_IO', ragged, 'line 2 has 1 columns but expected 2');
  const feats = loadFeatures({ features: path.join(dir, 'a.csv'), labels: { column: 'label' } });
  assert.deepEqual([feats.n, feats.dim, feats.classes], [2, 2, 3]);
  assert.deepEqual(Array.from(feats.features), [0.5, 1e-3, -1, 2]);
  assert.deepEqual(Array.from(feats.labels!), [2, 0]);
  const sep = loadFeatures({ features: path.join(dir, 'b.csv'), labels: file('lab.csv', '1\n0\n') });
  assert.deepEqual(Array.from(sep.labels!), [1, 0]);
  throwsGdln(() => loadFeatures({ features: path.join(dir, 'b.csv'), labels: file('lab3.csv', '1\n0\n1\n') }), 'GDLN_SHAPE_MISMATCH', 'lab3.csv');
});

test('rotations: 0° is identity, 90° is the exact index rotation (any channels), 360° ≈ identity; angles', () => {
  const H = 5;
  const C = 2;
  const img = Float64Array.from({ length: H * H * C }, (_, k) => Math.sin(k) + 2);
  const shape = { height: H, width: H, channels: C };
  assert.deepEqual(Array.from(rotateImage(img, shape, 0)), Array.from(img));
  const r90 = rotateImage(img, shape, 90);
  for (let ch = 0; ch < C; ch++) for (let r = 0; r < H; r++) for (let c = 0; c < H; c++) {
    assert.equal(r90[(ch * H + r) * H + c], img[(ch * H + c) * H + (H - 1 - r)]);
  }
  const hwc = Float64Array.from({ length: 16 }, (_, k) => k);
  const h90 = rotateImage(hwc, { height: 4, width: 4, layout: 'hwc' }, 90);
  assert.equal(h90[0], hwc[3]); // out[0][0] = in[0][3]
  const r360 = rotateImage(img, shape, 360);
  img.forEach((v, k) => assert.ok(Math.abs(r360[k] - v) < 1e-12));
  const r45 = rotateImage(Float64Array.from({ length: 9 }, () => 1), { height: 3, width: 3 }, 45);
  assert.equal(r45[4], 1); // the centre stays put
  assert.ok(r45[0] < 1); // corners read partly outside: zero fill
  assert.deepEqual(rotationAngles(4), [0, 45, 90, 135]);
  assert.deepEqual(rotationAngles(4, 270), [0, 67.5, 135, 202.5]);
});

test('pixel permutations are seeded bijections; label permutations random and lexicographic', () => {
  const perms = pixelPermutations(3, 784, 7);
  assert.ok(perms.every(isPermutation));
  assert.deepEqual(Array.from(pixelPermutations(3, 784, 7)[2]), Array.from(perms[2]));
  assert.notDeepEqual(Array.from(perms[0]), Array.from(perms[1]));
  const x = Float64Array.from({ length: 784 }, (_, k) => k);
  assert.deepEqual(Array.from(permuteVector(x, perms[0])).sort((a, b) => a - b), Array.from(x));
  const lex = lexicographicPermutations(120, 10);
  assert.deepEqual(Array.from(lex[0]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(lex[1]), [0, 1, 2, 3, 4, 5, 6, 7, 9, 8]);
  assert.equal(new Set(lex.map((p) => p.join())).size, 120);
  for (const p of lex) for (let c = 0; c < 5; c++) assert.equal(p[c], c);
  assert.notEqual(lexicographicPermutations(121, 10)[120][4], 4);
  throwsGdln(() => lexicographicPermutations(7, 3), 'GDLN_INVALID_ARGUMENT', 'M ≤ 3!');
  const rnd = labelPermutations(40, 10, 'random', 1);
  assert.ok(rnd.every(isPermutation));
  assert.ok(rnd.some((p) => p[0] !== 0));
});

test('transformed routing: gating, route counts, targets, memory guard', () => {
  const base = syntheticDigits(60, 3);
  assert.equal(base.images.length, 60 * 784);
  for (const routes of ['cyclic', 'random'] as const) {
    const M = 5, K = 2, s = 3;
    const task = transformedRoutingTask({ base, M, K, samplesPerRoute: s, evalSamplesPerRoute: 2, hidden: 8, routes, seed: 1 });
    assert.equal(task.data.nSamples, M * K * s);
    assert.equal(task.evaluation.nSamples, M * M * 2);
    assert.equal(task.trained.flat().filter(Boolean).length, M * K);
    assert.ok(task.trained.every((row) => row.filter(Boolean).length === K));
    assert.equal(task.evaluationGroups.filter((g) => g === 'trained').length, M * K * 2);
    assert.equal(task.evaluationGroups.filter((g) => g === 'untrained').length, M * (M - K) * 2);
    for (const d of [task.data, task.evaluation]) {
      const encs = task.graph.edges.filter((e) => e.name.startsWith('in'));
      const decs = task.graph.edges.filter((e) => e.name.startsWith('h2->'));
      for (let n = 0; n < d.nSamples; n++) {
        assert.equal(encs.reduce((a, e) => a + d.edgeGate(e.index, n), 0), 1);
        assert.equal(decs.reduce((a, e) => a + d.edgeGate(e.index, n), 0), 1);
      }
    }
    // the target is one-hot at the permuted label on the active output domain
    const smp = task.trainSamples;
    const j = smp.outputDomain[0];
    const y = task.data.targets[task.graph.node(`out${j}`).index]!;
    assert.equal(y[smp.label[0]], 1);
    assert.equal(y.slice(0, 10).reduce((a, b) => a + b, 0), 1);
    assert.equal(smp.label[0], task.labelPermutations[j][base.labels[smp.baseIndex[0]]]);
    // the input is the rotated base image on the active input domain
    const i = smp.inputDomain[0];
    const x = task.data.inputs[task.graph.node(`in${i}`).index]!.slice(0, 784);
    const want = rotateImage(base.images.slice(smp.baseIndex[0] * 784, smp.baseIndex[0] * 784 + 784), { height: 28, width: 28 }, task.angles![i]);
    assert.deepEqual(Array.from(x), Array.from(want));
  }
  const shared = transformedRoutingTask({ base, M: 4, K: 2, samplesPerRoute: 3, hidden: 4, sharedBaseImages: true, inputTransform: 'permutation' });
  const idx = shared.trainSamples.baseIndex;
  for (let r = 1; r < 8; r++) assert.deepEqual(Array.from(idx.slice(3 * r, 3 * r + 3)), Array.from(idx.slice(0, 3)));
  const compact = transformedRoutingTask({ base, M: 4, K: 2, samplesPerRoute: 3, hidden: 4, layout: 'compact', bias: true });
  assert.deepEqual(compact.graph.nodes.map((v) => v.name), ['x', 'one', 'h1', 'h2', 'y']);
  assert.equal(compact.graph.edges.length, 4 + 1 + 4 + 4 + 1 + 4);
  // M = 100 on 784 pixels: the domains layout is refused with its estimate, compact fits
  const big = { M: 100, K: 40, D: 784, C: 10, samplesPerRoute: 8 };
  assert.ok(estimateTransformedRoutingBytes(big) > 50e9);
  assert.ok(estimateTransformedRoutingBytes({ ...big, layout: 'compact' }) < 2e9);
  throwsGdln(() => transformedRoutingTask({ base, M: 100, K: 40, samplesPerRoute: 8 }), 'GDLN_INVALID_ARGUMENT', "layout: 'compact'", 'maxBytes');
});

test('routeAccuracy: argmax over the active output domain, per group and per route', () => {
  const base = syntheticDigits(20, 0);
  const task = transformedRoutingTask({ base, M: 3, K: 1, samplesPerRoute: 2, hidden: 4, inputTransform: 'identity' });
  const ev = task.evaluationSamples;
  const N = ev.label.length;
  const outputs: Record<string, Float64Array> = {};
  for (const name of task.outputNodes) outputs[name] = new Float64Array(N * 10);
  for (let n = 0; n < N; n++) {
    const trained = task.trained[ev.inputDomain[n]][ev.outputDomain[n]];
    // right on trained routes; on untrained routes right only for the first sample of each route
    const guess = trained || n % 2 === 0 ? ev.label[n] : (ev.label[n] + 1) % 10;
    outputs[task.outputNodes[ev.outputDomain[n]]][n * 10 + guess] = 1;
    // a larger value on an inactive domain must be ignored
    outputs[task.outputNodes[(ev.outputDomain[n] + 1) % 3]][n * 10 + ((guess + 3) % 10)] = 5;
  }
  const acc = routeAccuracy(task, outputs);
  assert.deepEqual(acc.groups.trained, { count: 6, correct: 6, accuracy: 1, error: 0 });
  assert.deepEqual(acc.groups.untrained, { count: 12, correct: 6, accuracy: 0.5, error: 0.5 });
  assert.equal(acc.perRoute[0], 1);
  assert.equal(acc.perRoute[1], 0.5);
  throwsGdln(() => routeAccuracy(task, { out0: outputs.out0 }), 'GDLN_INVALID_ARGUMENT', 'out1');
});

test('compact layout: same loss and gradients as the domains layout (js backend, both losses)', () => {
  const base = syntheticDigits(30, 5);
  for (const bias of [false, true]) {
    const opts = { base, M: 3, K: 2, samplesPerRoute: 2, hidden: 5, bias, seed: 4 };
    const dom = transformedRoutingTask(opts);
    const cmp = transformedRoutingTask({ ...opts, layout: 'compact' });
    assert.deepEqual(Array.from(cmp.trainSamples.baseIndex), Array.from(dom.trainSamples.baseIndex));
    const w = initWeights(dom.graph, { seed: 2, scheme: { kind: 'gaussian', std: 0.3 } });
    // edges come in the same order in both layouts: encoders, θ, decoders (then biases)
    const wc = new WeightSet(cmp.graph, w.matrices.map((m) => m.slice()));
    for (const loss of ['mse', 'softmaxCrossEntropy'] as const) {
      const a = lossAndGradient(dom.graph, dom.data, w, { backend: 'js', loss });
      const b = lossAndGradient(cmp.graph, cmp.data, wc, { backend: 'js', loss });
      assert.ok(Math.abs(a.loss - b.loss) < 1e-12 * Math.max(1, a.loss), `${loss}: ${a.loss} vs ${b.loss}`);
      a.gradient.matrices.forEach((g, e) => g.forEach((v, k) => assert.ok(Math.abs(v - b.gradient.matrices[e][k]) < 1e-12)));
    }
  }
});
