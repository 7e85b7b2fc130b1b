/**
 * IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed, and the
 * MNIST-like directory layout of the base datasets of Saxe et al. 2022, Sec. 5 / App. D.
 *
 * IDX layout: bytes 0–1 are zero, byte 2 the element type, byte 3 the number of
 * dimensions d; then d big-endian uint32 sizes; then the elements, big-endian,
 * row-major. Types: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GdlnError, invalidParameter } from '../../errors.ts';
import { fileDefect, readFileOrExplain } from './ioError.ts';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  /** Row-major elements, in native byte order. */
  data: IdxData;
}

const TYPES: Record<number, { bytes: number; name: string }> = {
  0x08: { bytes: 1, name: 'uint8' },
  0x09: { bytes: 1, name: 'int8' },
  0x0b: { bytes: 2, name: 'int16' },
  0x0c: { bytes: 4, name: 'int32' },
  0x0d: { bytes: 4, name: 'float32' },
  0x0e: { bytes: 8, name: 'float64' },
};

const hex = (x: number, digits: number) => `0x${x.toString(16).padStart(digits, '0')}`;

/** True for the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses IDX bytes (already decompressed). `file` only names the source in errors.
 * @throws GdlnError GDLN_IO naming the file and byte offset of the defect
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw fileDefect(file, 0, `truncated: expected a 4-byte IDX header, found ${bytes.length} bytes`, { expected: 4, found: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw fileDefect(file, 0, `bad magic ${hex(magic, 8)} (IDX files start with 0x0000)`, { magic });
  const type = TYPES[bytes[2]];
  if (type === undefined) throw fileDefect(file, 2, `unknown IDX element type ${hex(bytes[2], 2)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`, { type: bytes[2] });
  const ndims = bytes[3];
  if (ndims === 0) throw fileDefect(file, 3, 'zero dimensions', { ndims });
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw fileDefect(file, 4, `truncated: expected ${4 * ndims} bytes of dimensions, found ${bytes.length - 4}`, { expected: 4 * ndims, found: bytes.length - 4 });
  }
  const dims: number[] = [];
  for (let k = 0; k < ndims; k++) dims.push(view.getUint32(4 + 4 * k));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = count * type.bytes;
  const found = bytes.length - headerBytes;
  if (found < dataBytes) {
    throw fileDefect(file, headerBytes, `truncated: expected ${dataBytes} bytes of data (dims ${dims.join('×')} of ${type.name}), found ${found}`, { dims, expected: dataBytes, found });
  }
  if (found > dataBytes) {
    throw fileDefect(file, headerBytes + dataBytes, `${found - dataBytes} trailing bytes after the ${dataBytes} bytes of data that dims ${dims.join('×')} of ${type.name} imply`, { dims, expected: dataBytes, found });
  }
  const at = (k: number) => headerBytes + k * type.bytes;
  let data: IdxData;
  switch (bytes[2]) {
    case 0x08: data = new Uint8Array(bytes.subarray(headerBytes, headerBytes + dataBytes)); break; // a copy: Buffer.slice would alias Node's pool
    case 0x09: data = new Int8Array(bytes.buffer, bytes.byteOffset + headerBytes, count).slice(); break;
    case 0x0b: data = new Int16Array(count); for (let k = 0; k < count; k++) data[k] = view.getInt16(at(k)); break;
    case 0x0c: data = new Int32Array(count); for (let k = 0; k < count; k++) data[k] = view.getInt32(at(k)); break;
    case 0x0d: data = new Float32Array(count); for (let k = 0; k < count; k++) data[k] = view.getFloat32(at(k)); break;
    default: data = new Float64Array(count); for (let k = 0; k < count; k++) data[k] = view.getFloat64(at(k)); break;
  }
  return { dims, data };
}

/**
 * Loads an IDX file, gzip-compressed (detected by its magic 1f 8b, whatever the name) or raw.
 * @throws GdlnError GDLN_IO (missing file, corrupt gzip, or any header/length defect, naming file and offset)
 */
export function loadIdx(file: string, hint = ''): IdxArray {
  let bytes: Uint8Array = readFileOrExplain(file, hint);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw fileDefect(file, 0, `corrupt gzip stream (${(err as Error).message})`);
    }
  }
  return parseIdx(bytes, file);
}

/** Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST (gzip IDX files). */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

export interface MnistLikeOptions {
  /** Directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; default FASHION_MNIST_DEBIAN_DIR. */
  dir?: string;
  split: 'train' | 'test';
  /** Keep only the first `limit` samples. */
  limit?: number;
}

export interface ImageSet {
  /** [n, height·width·channels], values in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  /** Number of classes (10 for MNIST-like and CIFAR-10). */
  classes: number;
  /** Files read. */
  files: string[];
}

/** First existing candidate: exact names, '.'-for-'-' variants (LeCun's unpacked names), then .gz. */
function findIdx(dir: string, stem: string): string | null {
  const dotted = stem.replace(/-(idx\d)-/, '.$1-');
  for (const name of [stem, `${stem}.gz`, dotted, `${dotted}.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/**
 * Loads an MNIST-format split (MNIST, Fashion-MNIST, KMNIST …) from a directory.
 * The default directory is Debian's `dataset-fashion-mnist` install location.
 * @throws GdlnError GDLN_IO (missing files, naming the directory and how to get them;
 *   file defects; image count ≠ label count; label > 9)
 */
export function loadMnistLike(options: MnistLikeOptions): ImageSet {
  const dir = options?.dir ?? FASHION_MNIST_DEBIAN_DIR;
  const split = options?.split;
  if (split !== 'train' && split !== 'test') throw invalidParameter("'train' or 'test'", 'split', split);
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw invalidParameter('a positive integer', 'limit', limit);
  const prefix = split === 'train' ? 'train' : 't10k';
  const hint = dir === FASHION_MNIST_DEBIAN_DIR
    ? 'install Fashion-MNIST with `apt install dataset-fashion-mnist` or pass { dir } naming a directory with the MNIST-format files'
    : `expected ${prefix}-images-idx3-ubyte[.gz] and ${prefix}-labels-idx1-ubyte[.gz] there`;
  const imagesFile = findIdx(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = findIdx(dir, `${prefix}-labels-idx1-ubyte`);
  if (imagesFile === null || labelsFile === null) {
    const missing = imagesFile === null ? `${prefix}-images-idx3-ubyte[.gz]` : `${prefix}-labels-idx1-ubyte[.gz]`;
    throw new GdlnError('GDLN_IO', `Expected ${missing} in ${dir} but received no such file; ${hint}`, { file: path.join(dir, missing), dir });
  }
  const img = loadIdx(imagesFile, hint);
  const lab = loadIdx(labelsFile, hint);
  if (img.dims.length !== 3 || !(img.data instanceof Uint8Array)) {
    throw fileDefect(imagesFile, 2, `expected a 3-D uint8 image array, found dims ${img.dims.join('×')}`, { dims: img.dims });
  }
  if (lab.dims.length !== 1 || !(lab.data instanceof Uint8Array)) {
    throw fileDefect(labelsFile, 2, `expected a 1-D uint8 label array, found dims ${lab.dims.join('×')}`, { dims: lab.dims });
  }
  const [count, height, width] = img.dims;
  if (lab.dims[0] !== count) {
    throw new GdlnError('GDLN_IO', `Expected as many labels as images (${count} in ${imagesFile}) but received ${lab.dims[0]} in ${labelsFile}`, { file: labelsFile, offset: 4, images: count, labels: lab.dims[0] });
  }
  const n = Math.min(count, limit ?? count);
  const labels = lab.data.slice(0, n);
  const labelStart = 8;
  for (let k = 0; k < n; k++) {
    if (labels[k] > 9) throw fileDefect(labelsFile, labelStart + k, `label ${labels[k]} out of range 0–9 (sample ${k})`, { sample: k, label: labels[k] });
  }
  const size = height * width;
  const images = new Float32Array(n * size);
  for (let k = 0; k < n * size; k++) images[k] = img.data[k] / 255;
  return { images, labels, n, height, width, channels: 1, classes: 10, files: [imagesFile, labelsFile] };
}
