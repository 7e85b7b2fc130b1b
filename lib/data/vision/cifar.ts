/**
 * CIFAR-10 binary batches (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`),
 * the second base dataset of Saxe et al. 2022, Sec. 5 / App. D. Each record is one label
 * byte (0–9) and 3072 pixel bytes: 1024 red, 1024 green, 1024 blue, each 32×32 row-major.
 */
import path from 'node:path';
import { invalidParameter } from '../../errors.ts';
import { fileDefect, readFileOrExplain } from './ioError.ts';
import type { ImageSet } from './idx.ts';

const RECORD = 3073;
const PIXELS = 3072;
const HINT = 'download the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) and pass { dir } naming the unpacked cifar-10-batches-bin directory';

/**
 * Loads one batch file. Images are [n, 3072] in [0, 1], channel-major as stored ([3, 32, 32]).
 * @throws GdlnError GDLN_IO (missing file; length not a multiple of 3073; label > 9), naming file and offset
 */
export function loadCifar10Batch(file: string, limit?: number): ImageSet {
  const bytes = readFileOrExplain(file, HINT);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    const whole = Math.floor(bytes.length / RECORD);
    throw fileDefect(file, whole * RECORD, `length ${bytes.length} is not a positive multiple of the ${RECORD}-byte record (1 label + 3072 pixels); record ${whole} is cut short`, { length: bytes.length, record: RECORD });
  }
  const total = bytes.length / RECORD;
  const n = Math.min(total, limit ?? total);
  const images = new Float32Array(n * PIXELS);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const at = k * RECORD;
    if (bytes[at] > 9) throw fileDefect(file, at, `label ${bytes[at]} out of range 0–9 (record ${k})`, { record: k, label: bytes[at] });
    labels[k] = bytes[at];
    for (let p = 0; p < PIXELS; p++) images[k * PIXELS + p] = bytes[at + 1 + p] / 255;
  }
  return { images, labels, n, height: 32, width: 32, channels: 3, classes: 10, files: [file] };
}

export interface Cifar10Options {
  /** The unpacked `cifar-10-batches-bin` directory. */
  dir: string;
  split: 'train' | 'test';
  limit?: number;
}

/** Loads the training batches 1–5 (50 000 images) or the test batch (10 000), in file order. */
export function loadCifar10(options: Cifar10Options): ImageSet {
  if (typeof options?.dir !== 'string') throw invalidParameter('a directory path', 'dir', options?.dir);
  const split = options.split;
  if (split !== 'train' && split !== 'test') throw invalidParameter("'train' or 'test'", 'split', split);
  const limit = options.limit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw invalidParameter('a positive integer', 'limit', limit);
  const names = split === 'train' ? [1, 2, 3, 4, 5].map((b) => `data_batch_${b}.bin`) : ['test_batch.bin'];
  const parts: ImageSet[] = [];
  let have = 0;
  for (const name of names) {
    if (limit !== undefined && have >= limit) break;
    const part = loadCifar10Batch(path.join(options.dir, name), limit === undefined ? undefined : limit - have);
    parts.push(part);
    have += part.n;
  }
  const images = new Float32Array(have * PIXELS);
  const labels = new Uint8Array(have);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * PIXELS);
    labels.set(p.labels, at);
    at += p.n;
  }
  return { images, labels, n: have, height: 32, width: 32, channels: 3, classes: 10, files: parts.flatMap((p) => p.files) };
}
