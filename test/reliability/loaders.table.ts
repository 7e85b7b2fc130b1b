/**
 * Bad-input rows for the dataset loaders of lib/data/vision (issue 8): IDX files
 * (raw and gzip), the MNIST-like folder layout, CIFAR-10 binary batches, `.npy`
 * and CSV feature files. Every defect must be a GdlnError whose message names
 * the file and where in it the defect lies (byte offset, or line and column).
 *
 * The files are written to one temp folder, removed when the process exits.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  loadCifar10, loadCifar10Batch, loadCsv, loadFeatures, loadIdx, loadMnistLike, loadNpy,
} from '../../lib/data/vision/index.ts';
import type { BadInputRow } from './badInputRow.ts';

// ---------------------------------------------------------------- fixtures

const work = mkdtempSync(join(tmpdir(), 'gdln-reliability-loaders-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** Writes `bytes` to a fresh file named `name` (unique per call) and returns its path. */
function file(name: string, bytes: Uint8Array | string): string {
  const dir = join(work, String(counter++));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A fresh empty folder. */
function folder(): string {
  const dir = join(work, String(counter++));
  mkdirSync(dir);
  return dir;
}

/** IDX bytes: 0, 0, type, ndims, big-endian dims, then `data` (default: as many zero bytes as dims × element size imply). */
function idx(type: number, dims: number[], data?: Uint8Array): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[type] ?? 1;
  const body = data ?? new Uint8Array(dims.reduce((a, b) => a * b, 1) * size);
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

/** A version-1 `.npy` file: magic, version, uint16 LE header length, the header padded to 64 bytes, `data`. */
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pad = 64 - ((10 + header.length + 1) % 64);
  const text = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  out.set(data, 10 + text.length);
  return out;
}
const f8 = (...xs: number[]) => new Uint8Array(Float64Array.from(xs).buffer);

/** An MNIST-format folder holding the train images and labels given (raw IDX unless gz). */
function mnistDir(images: Uint8Array, labels: Uint8Array, gz = false): string {
  const dir = folder();
  writeFileSync(join(dir, `train-images-idx3-ubyte${gz ? '.gz' : ''}`), gz ? gzipSync(images) : images);
  writeFileSync(join(dir, `train-labels-idx1-ubyte${gz ? '.gz' : ''}`), gz ? gzipSync(labels) : labels);
  return dir;
}

/** CIFAR-10 records: one label byte and 3072 pixel bytes each. */
function cifar(labels: number[], extra = 0): Uint8Array {
  const out = new Uint8Array(labels.length * 3073 + extra);
  labels.forEach((l, k) => (out[k * 3073] = l));
  return out;
}

/** A row whose `act` loads a file it creates first; `mentions(path)` lists what the error must name. */
function withFile(
  id: string, description: string, name: string, bytes: () => Uint8Array | string, load: (path: string) => unknown,
  code: BadInputRow['expect']['code'], mentions: (string | ((path: string) => string))[],
): BadInputRow {
  let path = '';
  const row: BadInputRow = {
    id, area: 'loaders', description,
    act: () => {
      path = file(name, bytes());
      // mentions may depend on the path: filled in before the call is checked.
      row.expect.mentions = mentions.map((m) => (typeof m === 'function' ? m(path) : m));
      return load(path);
    },
    expect: { code, mentions: [] },
  };
  return row;
}
const thePath = (p: string) => p;

// ---------------------------------------------------------------- rows

export const rows: BadInputRow[] = [
  // ---- IDX, raw and gzip
  withFile('idx.truncated-header', 'an IDX file of 3 bytes (no full header)', 'short-idx1-ubyte', () => Uint8Array.of(0, 0, 8),
    loadIdx, 'GDLN_IO', [thePath, 'truncated', 'offset 0']),
  withFile('idx.bad-magic', 'an IDX file starting 0x12 0x34 (raw)', 'magic-idx1-ubyte', () => { const b = idx(0x08, [3]); b[0] = 0x12; b[1] = 0x34; return b; },
    loadIdx, 'GDLN_IO', [thePath, 'bad magic', 'offset 0']),
  withFile('idx.bad-magic-gz', 'a gzip IDX file whose content starts 0x0100', 'magic-idx1-ubyte.gz', () => { const b = idx(0x08, [3]); b[0] = 1; return gzipSync(b); },
    loadIdx, 'GDLN_IO', [thePath, 'bad magic', 'offset 0']),
  withFile('idx.unknown-type', 'an IDX element type 0x07', 'type-idx1-ubyte', () => { const b = idx(0x08, [3]); b[2] = 0x07; return b; },
    loadIdx, 'GDLN_IO', [thePath, '0x07', 'offset 2']),
  withFile('idx.zero-dims', 'an IDX header with 0 dimensions', 'zero-idx1-ubyte', () => Uint8Array.of(0, 0, 8, 0),
    loadIdx, 'GDLN_IO', [thePath, 'zero dimensions', 'offset 3']),
  withFile('idx.truncated-dims-gz', 'a gzip IDX header announcing 3 dimensions with bytes for 1', 'dims-idx3-ubyte.gz', () => gzipSync(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 2)),
    loadIdx, 'GDLN_IO', [thePath, 'truncated', 'offset 4']),
  withFile('idx.truncated-data', 'a raw IDX 2×3 uint8 array with 4 data bytes', 'data-idx2-ubyte', () => idx(0x08, [2, 3], new Uint8Array(4)),
    loadIdx, 'GDLN_IO', [thePath, 'truncated', 'found 4', 'offset 12']),
  withFile('idx.truncated-data-gz', 'a gzip IDX 10×28×28 image file cut to 100 data bytes', 'train-images-idx3-ubyte.gz', () => gzipSync(idx(0x08, [10, 28, 28], new Uint8Array(100))),
    loadIdx, 'GDLN_IO', [thePath, 'truncated', '7840', 'offset 16']),
  withFile('idx.trailing-bytes', 'a raw IDX 4-element float32 array followed by 3 extra bytes', 'tail-idx1-ubyte', () => idx(0x0d, [4], new Uint8Array(19)),
    loadIdx, 'GDLN_IO', [thePath, '3 trailing bytes', 'offset 24']),
  withFile('idx.corrupt-gzip', 'a file with the gzip magic and garbage after it', 'bad-idx1-ubyte.gz', () => Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7),
    loadIdx, 'GDLN_IO', [thePath, 'corrupt gzip', 'offset 0']),
  withFile('idx.missing-file', 'loadIdx on a path that does not exist', 'placeholder', () => '',
    (p) => loadIdx(`${p}-missing`), 'GDLN_IO', [(p) => `${p}-missing`, 'no such file']),
  {
    id: 'mnist.images-wrong-dims', area: 'loaders', description: 'an MNIST folder whose image file (raw) is 2-D, not [n, h, w]',
    act: () => loadMnistLike({ dir: mnistDir(idx(0x08, [2, 784]), idx(0x08, [2])), split: 'train' }),
    expect: { code: 'GDLN_IO', mentions: ['train-images-idx3-ubyte', 'expected a 3-D uint8 image array', '2×784', 'offset 2'] },
  },
  {
    id: 'mnist.labels-wrong-dims-gz', area: 'loaders', description: 'an MNIST folder (gzip) whose label file is 2-D',
    act: () => loadMnistLike({ dir: mnistDir(idx(0x08, [2, 4, 4]), idx(0x08, [2, 1]), true), split: 'train' }),
    expect: { code: 'GDLN_IO', mentions: ['train-labels-idx1-ubyte.gz', 'expected a 1-D uint8 label array', 'offset 2'] },
  },
  {
    id: 'mnist.labels-float-type', area: 'loaders', description: 'an MNIST label file of float32 elements',
    act: () => loadMnistLike({ dir: mnistDir(idx(0x08, [2, 4, 4]), idx(0x0d, [2])), split: 'train' }),
    expect: { code: 'GDLN_IO', mentions: ['train-labels-idx1-ubyte', 'uint8', 'offset 2'] },
  },
  {
    id: 'mnist.count-mismatch', area: 'loaders', description: '3 images but 2 labels',
    act: () => loadMnistLike({ dir: mnistDir(idx(0x08, [3, 4, 4]), idx(0x08, [2])), split: 'train' }),
    expect: { code: 'GDLN_IO', mentions: ['train-labels-idx1-ubyte', 'received 2', '3 in'] },
  },
  {
    id: 'mnist.label-out-of-range', area: 'loaders', description: 'label 12 for sample 1 (byte 9 of the label file)',
    act: () => loadMnistLike({ dir: mnistDir(idx(0x08, [3, 4, 4]), idx(0x08, [3], Uint8Array.of(3, 12, 0))), split: 'train' }),
    expect: { code: 'GDLN_IO', mentions: ['train-labels-idx1-ubyte', 'label 12', 'sample 1', 'offset 9'] },
  },
  (() => {
    let dir = '';
    return {
      id: 'mnist.missing-files', area: 'loaders', description: 'an MNIST folder without the test files',
      act: () => {
        dir = folder();
        return loadMnistLike({ dir, split: 'test' });
      },
      expect: { code: 'GDLN_IO', mentions: ['t10k-images-idx3-ubyte'] },
      after: (err) => {
        if (!err.message.includes(dir)) throw new Error(`the error does not name the folder ${dir}: ${err.message}`);
      },
    } satisfies BadInputRow;
  })(),
  {
    id: 'mnist.bad-split', area: 'loaders', description: "split 'validation'",
    act: () => loadMnistLike({ dir: folder(), split: 'validation' as never }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['split', 'validation'] },
  },

  // ---- CIFAR-10 binary batches
  withFile('cifar.length-not-multiple', 'a CIFAR batch of 2 records and 100 stray bytes', 'data_batch_1.bin', () => cifar([1, 2], 100),
    (p) => loadCifar10Batch(p), 'GDLN_IO', [thePath, 'length 6246', '3073', 'offset 6146']),
  withFile('cifar.empty', 'an empty CIFAR batch file', 'data_batch_1.bin', () => new Uint8Array(0),
    (p) => loadCifar10Batch(p), 'GDLN_IO', [thePath, 'length 0', 'offset 0']),
  withFile('cifar.label-out-of-range', 'record 2 with label 10', 'test_batch.bin', () => cifar([0, 9, 10, 3]),
    (p) => loadCifar10Batch(p), 'GDLN_IO', [thePath, 'label 10', 'record 2', 'offset 6146']),
  {
    id: 'cifar.missing-batch', area: 'loaders', description: 'loadCifar10 on a folder without test_batch.bin',
    act: () => loadCifar10({ dir: folder(), split: 'test' }),
    expect: { code: 'GDLN_IO', mentions: ['test_batch.bin', 'no such file', 'cifar-10-binary'] },
  },
  {
    id: 'cifar.dir-not-string', area: 'loaders', description: 'loadCifar10 without a dir',
    act: () => loadCifar10({ split: 'train' } as never),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['dir'] },
  },

  // ---- .npy
  withFile('npy.bad-magic', 'a .npy file starting "NUMPY" without \\x93', 'features.npy', () => new TextEncoder().encode('NUMPY\x01\x00 garbage'),
    loadNpy, 'GDLN_IO', [thePath, 'bad magic', 'offset 0']),
  withFile('npy.bad-version', 'a .npy file of format version 4', 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", f8(1), 4),
    loadNpy, 'GDLN_UNSUPPORTED', [thePath, 'version 4', 'offset 6']),
  withFile('npy.fortran-order', "fortran_order: True", 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", f8(1, 2, 3, 4)),
    loadNpy, 'GDLN_UNSUPPORTED', [thePath, 'fortran_order', 'offset 10']),
  withFile('npy.big-endian', "descr '>f8' (big-endian)", 'features.npy', () => npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", f8(1, 2)),
    loadNpy, 'GDLN_UNSUPPORTED', [thePath, '>f8', 'big-endian', 'offset 10']),
  withFile('npy.bad-header', "a header without 'shape'", 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, }", f8(1, 2)),
    loadNpy, 'GDLN_IO', [thePath, 'bad header', "no 'shape'", 'offset 10']),
  withFile('npy.bad-shape-entry', "shape (2, -3)", 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }", f8(1, 2)),
    loadNpy, 'GDLN_IO', [thePath, 'shape entry', '-3', 'offset 10']),
  withFile('npy.header-cut', 'a header length of 118 bytes with 20 present', 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", f8()).subarray(0, 30),
    loadNpy, 'GDLN_IO', [thePath, 'truncated', 'offset 10']),
  withFile('npy.truncated-data', 'shape (3, 2) of <f8 with 5 of the 6 elements', 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", f8(1, 2, 3, 4, 5)),
    loadNpy, 'GDLN_IO', [thePath, 'truncated', 'expected 48 bytes', 'found 40', 'offset 128']),
  withFile('npy.complex', "descr '<c16'", 'features.npy', () => npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16)),
    loadNpy, 'GDLN_UNSUPPORTED', [thePath, '<c16']),
  withFile('npy.three-dims', 'shape (1, 1, 2)', 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }", f8(1, 2)),
    loadNpy, 'GDLN_UNSUPPORTED', [thePath, '(1, 1, 2)']),
  withFile('npy.nan-feature', 'a NaN feature in a .npy matrix (loadFeatures)', 'features.npy', () => npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", f8(1, 2, NaN, 4)),
    (p) => loadFeatures({ features: p }), 'GDLN_NON_FINITE', [thePath, 'row 1', 'column 0']),

  // ---- CSV
  withFile('csv.non-numeric', 'a cell "abc" on line 3, column 2', 'features.csv', () => 'a,b\n1,2\n3,abc\n',
    (p) => loadCsv(p), 'GDLN_IO', [thePath, 'line 3', 'column 2', '"abc"']),
  withFile('csv.nan', 'a NaN cell on line 1, column 1 (no header)', 'features.csv', () => 'NaN,2\n3,4\n',
    (p) => loadCsv(p, { header: false }), 'GDLN_NON_FINITE', [thePath, 'line 1', 'column 1', 'NaN']),
  withFile('csv.inf', 'an -inf cell in the feature CSV of loadFeatures', 'features.csv', () => 'x,y\n1,2\n3,-inf\n',
    (p) => loadFeatures({ features: p }), 'GDLN_NON_FINITE', [thePath, 'line 3', 'column 2']),
  withFile('csv.empty-cell', 'an empty cell on line 2', 'features.csv', () => '1,2\n3,\n',
    (p) => loadCsv(p), 'GDLN_IO', [thePath, 'line 2', 'column 2']),
  withFile('csv.ragged', 'a row of 3 cells under a header of 2', 'features.csv', () => 'a,b\n1,2\n1,2,3\n',
    (p) => loadCsv(p), 'GDLN_IO', [thePath, 'line 3', '3 columns', 'expected 2']),
  withFile('csv.empty', 'a CSV file with only blank lines', 'features.csv', () => '\n\n',
    (p) => loadCsv(p), 'GDLN_IO', [thePath, 'no rows']),
  withFile('csv.header-only', 'a CSV file with a header and no data', 'features.csv', () => 'a,b\n',
    (p) => loadCsv(p), 'GDLN_IO', [thePath, 'no data rows']),
  withFile('features.missing-file', 'loadFeatures on a .csv that does not exist', 'placeholder', () => '',
    (p) => loadFeatures({ features: `${p}.csv` }), 'GDLN_IO', [(p) => `${p}.csv`, 'no such file']),
  withFile('features.label-count', 'a label file of 2 rows for 3 feature rows', 'labels.csv', () => '0\n1\n',
    (p) => loadFeatures({ features: file('features.csv', '1,2\n3,4\n5,6\n'), labels: p }), 'GDLN_SHAPE_MISMATCH', [thePath, 'Expected 3 labels', 'received 2']),
  withFile('features.label-not-integer', 'a label 1.5 in row 1', 'labels.csv', () => '0\n1.5\n',
    (p) => loadFeatures({ features: file('features.csv', '1,2\n3,4\n'), labels: p }), 'GDLN_IO', [thePath, 'row 1', '1.5']),
  withFile('features.unknown-label-column', "labels: { column: 'class' } in a CSV without it", 'features.csv', () => 'x,y\n1,2\n',
    (p) => loadFeatures({ features: p, labels: { column: 'class' } }), 'GDLN_INVALID_ARGUMENT', ['labels.column', 'class', 'x, y']),
];
