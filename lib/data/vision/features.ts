/**
 * Precomputed feature matrices, for encoders run outside gdln. The CIFAR experiment of
 * Saxe et al. 2022 (App. D) feeds the gated network 512-dimensional features of a frozen
 * ResNet trunk rather than pixels; export them from Python as `.npy` or CSV and load
 * them here.
 *
 * `.npy` (format versions 1, 2, 3): magic "\x93NUMPY", major/minor version, a header
 * length (uint16 LE for v1, uint32 LE for v2/v3), a Python dict literal with 'descr',
 * 'fortran_order' and 'shape', then the raw elements.
 */
import { GdlnError, invalidParameter } from '../../errors.ts';
import { fileDefect, readFileOrExplain } from './ioError.ts';

export interface NpyArray {
  shape: number[];
  /** Numpy dtype string as stored, e.g. '<f4'. */
  dtype: string;
  /** Row-major (C order) elements. Integer dtypes are widened to Float64Array. */
  data: Float32Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Integer dtypes (read for label files), little-endian or byte-sized. */
const INTS: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  u1: { bytes: 1, read: (v, at) => v.getUint8(at) },
  i1: { bytes: 1, read: (v, at) => v.getInt8(at) },
  u2: { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  i2: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  u4: { bytes: 4, read: (v, at) => v.getUint32(at, true) },
  i4: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  u8: { bytes: 8, read: (v, at) => Number(v.getBigUint64(at, true)) },
  i8: { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
};

/**
 * Parses `.npy` bytes; `file` names the source in errors. Accepts float32/float64
 * ('<f4', '<f8') and, for labels, little-endian integer dtypes; 1-D or 2-D, C order.
 * @throws GdlnError GDLN_IO (bad magic/version/header, wrong length, with byte offsets),
 *   GDLN_UNSUPPORTED (fortran_order True, big-endian, other dtypes, >2 dimensions)
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  for (let k = 0; k < MAGIC.length; k++) {
    if (bytes[k] !== MAGIC[k]) {
      const got = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw fileDefect(file, k, `bad magic (expected 93 4e 55 4d 50 59 = "\\x93NUMPY", found ${got || 'nothing'})`);
    }
  }
  if (bytes.length < 10) throw fileDefect(file, 6, `truncated: expected a version and header length, found ${bytes.length - 6} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw fileDefect(file, 6, `unknown .npy format version ${major}.${bytes[7]} (expected 1, 2 or 3)`, { version: major }, 'GDLN_UNSUPPORTED');
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw fileDefect(file, 8, 'truncated: header length cut short');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lenBytes;
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) throw fileDefect(file, headerStart, `truncated: expected a ${headerLen}-byte header, found ${bytes.length - headerStart}`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const bad = (what: string) => fileDefect(file, headerStart, `bad header: ${what} in ${JSON.stringify(header.trim())}`, { header });
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) throw bad("no 'descr'");
  if (fortran === undefined) throw bad("no 'fortran_order'");
  if (shapeText === undefined) throw bad("no 'shape'");
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
    const d = Number(s.replace(/L$/, ''));
    if (!Number.isInteger(d) || d < 0) throw bad(`shape entry ${JSON.stringify(s)}`);
    return d;
  });
  if (fortran === 'True') throw fileDefect(file, headerStart, 'fortran_order True is unsupported; save with np.ascontiguousarray(a) (C order)', { header }, 'GDLN_UNSUPPORTED');
  if (shape.length < 1 || shape.length > 2) throw fileDefect(file, headerStart, `shape (${shape.join(', ')}) is unsupported; expected 1-D or 2-D`, { shape }, 'GDLN_UNSUPPORTED');
  const order = descr[0];
  const kind = descr.slice(1);
  if (order === '>' && descr !== '>u1' && descr !== '>i1') {
    throw fileDefect(file, headerStart, `big-endian dtype ${descr} is unsupported; save with a.astype('<${kind}')`, { dtype: descr }, 'GDLN_UNSUPPORTED');
  }
  const isFloat = kind === 'f4' || kind === 'f8';
  if ((order !== '<' && order !== '|' && order !== '=' && order !== '>') || (!isFloat && INTS[kind] === undefined)) {
    throw fileDefect(file, headerStart, `dtype ${descr} is unsupported; expected '<f4' or '<f8' (or an integer dtype for labels)`, { dtype: descr }, 'GDLN_UNSUPPORTED');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const width = isFloat ? (kind === 'f4' ? 4 : 8) : INTS[kind].bytes;
  const need = count * width;
  const found = bytes.length - dataStart;
  if (found !== need) {
    throw fileDefect(file, dataStart, `${found < need ? 'truncated: ' : ''}expected ${need} bytes of data (shape (${shape.join(', ')}) of ${descr}), found ${found}`, { shape, expected: need, found });
  }
  let data: Float32Array | Float64Array;
  if (kind === 'f4') {
    data = new Float32Array(count);
    for (let k = 0; k < count; k++) data[k] = view.getFloat32(dataStart + 4 * k, true);
  } else if (kind === 'f8') {
    data = new Float64Array(count);
    for (let k = 0; k < count; k++) data[k] = view.getFloat64(dataStart + 8 * k, true);
  } else {
    const { read } = INTS[kind];
    data = new Float64Array(count);
    for (let k = 0; k < count; k++) data[k] = read(view, dataStart + width * k);
  }
  return { shape, dtype: descr, data };
}

/** Loads a `.npy` file; see {@link parseNpy}. */
export function loadNpy(file: string): NpyArray {
  return parseNpy(readFileOrExplain(file), file);
}

export interface CsvOptions {
  /** First line is a header of column names: true, false, or 'auto' (default: a header iff none of its cells is a number). */
  header?: boolean | 'auto';
  /** Cell separator (default ','). */
  delimiter?: string;
}

export interface CsvTable {
  /** [rows, columns]. */
  shape: [number, number];
  data: Float64Array;
  /** Column names when there is a header row. */
  columns?: string[];
}

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * Parses numeric CSV text (blank lines skipped). Lines and columns in errors count from 1.
 * @throws GdlnError GDLN_IO (a cell that is not a number, or a row of the wrong width, naming
 *   line and column), GDLN_NON_FINITE (NaN/Inf cells, naming line and column)
 */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): CsvTable {
  const delim = options.delimiter ?? ',';
  const lines = text.split(/\r?\n/);
  const rows: { line: number; cells: string[] }[] = [];
  lines.forEach((l, k) => {
    if (l.trim().length > 0) rows.push({ line: k + 1, cells: l.split(delim).map((c) => c.trim()) });
  });
  if (rows.length === 0) throw new GdlnError('GDLN_IO', `${file}: no rows`, { file, line: 1 });
  const numeric = (c: string) => c.length > 0 && (NON_FINITE.test(c) || Number.isFinite(Number(c)));
  const hasHeader = options.header === 'auto' || options.header === undefined ? rows[0].cells.every((c) => !numeric(c)) : options.header;
  const columns = hasHeader ? rows.shift()!.cells : undefined;
  if (rows.length === 0) throw new GdlnError('GDLN_IO', `${file}: a header but no data rows`, { file, line: 2 });
  const width = columns?.length ?? rows[0].cells.length;
  const data = new Float64Array(rows.length * width);
  rows.forEach(({ line, cells }, r) => {
    if (cells.length !== width) {
      throw new GdlnError('GDLN_IO', `${file}: line ${line} has ${cells.length} columns but expected ${width}`, { file, line, expected: width, found: cells.length });
    }
    cells.forEach((c, col) => {
      if (NON_FINITE.test(c)) {
        throw new GdlnError('GDLN_NON_FINITE', `${file}: line ${line}, column ${col + 1}: expected a finite number but received ${JSON.stringify(c)}`, { file, line, column: col + 1, cell: c });
      }
      const v = c.length === 0 ? NaN : Number(c);
      if (!Number.isFinite(v)) {
        throw new GdlnError('GDLN_IO', `${file}: line ${line}, column ${col + 1}: expected a number but received ${JSON.stringify(c)}`, { file, line, column: col + 1, cell: c });
      }
      data[r * width + col] = v;
    });
  });
  return { shape: [rows.length, width], data, columns };
}

/** Loads a numeric CSV file; see {@link parseCsv}. */
export function loadCsv(file: string, options: CsvOptions = {}): CsvTable {
  return parseCsv(readFileOrExplain(file).toString('utf8'), file, options);
}

export interface FeatureSet {
  /** [n, dim]. */
  features: Float32Array | Float64Array;
  n: number;
  dim: number;
  /** Class per row, when labels were given. */
  labels?: Uint8Array;
  /** max label + 1. */
  classes?: number;
}

export interface FeatureOptions {
  /** Path of a .npy (2-D) or .csv feature matrix. */
  features: string;
  /** A separate .npy/.csv label file (one label per row), or a column of the feature CSV (name or 0-based index; removed from the features). */
  labels?: string | { column: string | number };
  csv?: CsvOptions;
}

function load2d(file: string, csv?: CsvOptions): { shape: number[]; data: Float32Array | Float64Array; columns?: string[] } {
  if (file.toLowerCase().endsWith('.npy')) return loadNpy(file);
  return loadCsv(file, csv);
}

/**
 * Loads precomputed features (and labels) from .npy or CSV.
 * @throws GdlnError GDLN_IO / GDLN_UNSUPPORTED / GDLN_NON_FINITE from the readers,
 *   GDLN_SHAPE_MISMATCH (label count ≠ row count), GDLN_IO (a label that is not an integer in 0–255)
 */
export function loadFeatures(options: FeatureOptions): FeatureSet {
  if (typeof options?.features !== 'string') throw invalidParameter('a .npy or .csv path', 'features', options?.features);
  const table = load2d(options.features, options.csv);
  let [n, dim] = table.shape.length === 1 ? [table.shape[0], 1] : table.shape;
  let features = table.data;
  for (let k = 0; k < features.length; k++) {
    if (!Number.isFinite(features[k])) {
      throw new GdlnError('GDLN_NON_FINITE', `${options.features}: element ${k} (row ${Math.floor(k / dim)}, column ${k % dim}) is ${features[k]}`, { file: options.features, row: Math.floor(k / dim), column: k % dim });
    }
  }
  let rawLabels: ArrayLike<number> | undefined;
  let labelSource = '';
  if (typeof options.labels === 'string') {
    const lab = load2d(options.labels, options.csv);
    if (lab.shape.length === 2 && lab.shape[1] !== 1) throw invalidParameter('one label per row (1 column)', `labels file ${options.labels}`, `${lab.shape[1]} columns`, 'GDLN_SHAPE_MISMATCH', { file: options.labels });
    rawLabels = lab.data;
    labelSource = options.labels;
  } else if (options.labels !== undefined) {
    const col = options.labels.column;
    const c = typeof col === 'number' ? col : (table.columns ?? []).indexOf(col);
    if (!Number.isInteger(c) || c < 0 || c >= dim) throw invalidParameter(`a column of ${options.features} (${table.columns ? table.columns.join(', ') : `0–${dim - 1}`})`, 'labels.column', col);
    const rest = new Float64Array(n * (dim - 1));
    const lab = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      lab[r] = features[r * dim + c];
      for (let k = 0, o = 0; k < dim; k++) if (k !== c) rest[r * (dim - 1) + o++] = features[r * dim + k];
    }
    features = rest;
    dim -= 1;
    rawLabels = lab;
    labelSource = `${options.features} column ${JSON.stringify(col)}`;
  }
  if (rawLabels === undefined) return { features, n, dim };
  if (rawLabels.length !== n) {
    throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected ${n} labels (one per feature row) but received ${rawLabels.length} in ${labelSource}`, { file: labelSource, expected: n, found: rawLabels.length });
  }
  const labels = new Uint8Array(n);
  let classes = 0;
  for (let r = 0; r < n; r++) {
    const y = rawLabels[r];
    if (!Number.isInteger(y) || y < 0 || y > 255) throw new GdlnError('GDLN_IO', `${labelSource}: row ${r}: expected an integer class in 0–255 but received ${y}`, { file: labelSource, row: r, label: y });
    labels[r] = y;
    classes = Math.max(classes, y + 1);
  }
  return { features, n, dim, labels, classes };
}
