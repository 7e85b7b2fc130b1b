/**
 * report.html from a hand-written results folder, checked in a real headless
 * browser (Debian's chromium): the rendered DOM has one <svg> per plot, the title
 * and the table rows; a screenshot is a real picture (not blank).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { renderHtmlReport, scopeSvgIds, writeHtmlReport } from '../../lib/report/htmlReport.ts';
import { dumpDom, findChromium, reportCommand, screenshot } from '../../lib/cli/commands/report.ts';
import type { PlotSpec } from '../../lib/report/plotSpec.ts';
import { GdlnError } from '../../lib/errors.ts';

const lossPlot = (seed: number): PlotSpec => ({
  kind: 'line',
  id: 'loss',
  title: `Loss, seed ${seed}`,
  paperRef: 'Saxe et al. 2022, Fig. 2b',
  xLabel: 'epoch',
  yLabel: 'loss',
  logY: true,
  series: [
    { name: 'simulation', x: [0, 10, 20, 30, 40], y: [1, 0.4, 0.1, 0.02, 0.01 + seed * 1e-3] },
    { name: 'theory', x: [0, 10, 20, 30, 40], y: [1, 0.38, 0.09, 0.02, 0.008], dashed: true },
  ],
});

const rsaPlot: PlotSpec = {
  kind: 'heatmap',
  id: 'rsa',
  title: 'Hidden-layer similarity',
  paperRef: 'Saxe et al. 2022, Fig. 6c',
  values: [
    [1, 0.6, -0.3, -0.2],
    [0.6, 1, -0.2, -0.4],
    [-0.3, -0.2, 1, 0.5],
    [-0.2, -0.4, 0.5, 1],
  ],
  rowLabels: ['a1', 'a2', 'b1', 'b2'],
  colLabels: ['a1', 'a2', 'b1', 'b2'],
  rowBlocks: [{ label: 'domain A', size: 2 }, { label: 'domain B', size: 2 }],
  colBlocks: [{ label: 'domain A', size: 2 }, { label: 'domain B', size: 2 }],
  xLabel: 'item',
  yLabel: 'item',
};

const errPlot: PlotSpec = {
  kind: 'line',
  id: 'error-vs-k',
  title: 'Test error vs K (mean ± se)',
  paperRef: 'Saxe et al. 2022, Fig. 4f',
  xLabel: 'K',
  yLabel: 'test error',
  series: [{ name: 'trained', x: [1, 2], y: [0.3, 0.2], yErr: [0.02, 0.03], markers: true }],
};

/** A results folder as the runner writes it: 2 runs (two sweep points), 1 aggregate plot, a failed run. */
function fixture(options: { partial?: boolean; title?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gdln-report-'));
  const config = { experiment: 'toy', name: 'toy', params: { lr: 0.1, hidden: { size: 8 }, note: '<b>not bold</b> & "quoted"' }, seeds: [0], sweep: { K: [1, 2] }, backend: 'js', dtype: 'float64' };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const runs = [
    { id: 'K=1-s0', seed: 0, point: { K: 1 }, metrics: { error: 0.3, loss: 0.01 }, seconds: 1.5, backend: 'js' },
    { id: 'K=2-s0', seed: 0, point: { K: 2 }, metrics: { error: 0.2, loss: 0.011 }, seconds: 1.25, backend: 'js' },
  ];
  for (const r of runs) {
    mkdirSync(join(dir, 'runs', r.id), { recursive: true });
    writeFileSync(join(dir, 'runs', r.id, 'result.json'), JSON.stringify({ ...r, params: config.params, series: {}, plots: [lossPlot(r.point.K), rsaPlot] }));
    writeFileSync(join(dir, 'runs', r.id, 'loss.csv'), 'epoch,simulation\n0,1\n');
  }
  mkdirSync(join(dir, 'runs', 'K=3-s0'), { recursive: true });
  writeFileSync(join(dir, 'runs', 'K=3-s0', 'error.json'), JSON.stringify({ id: 'K=3-s0', seed: 0, point: { K: 3 }, code: 'GDLN_DIVERGED', message: 'loss became NaN at epoch 12 <script>' }));
  writeFileSync(join(dir, 'summary.csv'), 'K,n,error_mean,error_se\n1,1,0.3,\n2,1,0.2,\n');
  const results = {
    experiment: 'toy',
    title: options.title ?? 'Toy experiment: routing <& gating>',
    paper: 'Saxe, Sodhani & Lewallen 2022, Fig. 4',
    parameters: 'K ∈ {1, 2, 3}; reduced size',
    description: 'A toy run.\n\nSecond paragraph.',
    config,
    complete: !options.partial,
    partial: !!options.partial,
    total: 3,
    done: 2,
    missing: ['K=3-s0'],
    failed: [],
    runs,
    points: [
      { point: { K: 1 }, n: 1, metrics: { error: { mean: 0.3, se: null, n: 1 }, loss: { mean: 0.01, se: null, n: 1 } } },
      { point: { K: 2 }, n: 1, metrics: { error: { mean: 0.2, se: null, n: 1 }, loss: { mean: 0.011, se: null, n: 1 } } },
      { point: { K: 3 }, n: 0, metrics: {} },
    ],
    aggregate: { metrics: {}, plots: [errPlot] },
    gdln: '0.1.0',
    node: process.version,
    finished: '2025-01-01T00:00:00.000Z',
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  return dir;
}

/** Plots in the fixture: 1 aggregate + 2 per run × 2 runs. */
const PLOTS = 5;

test('writeHtmlReport writes one self-contained, escaped page', () => {
  const dir = fixture({ partial: true });
  try {
    const path = writeHtmlReport(dir);
    assert.equal(path, join(dir, 'report.html'));
    const html = readFileSync(path, 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.equal((html.match(/<svg[\s>]/g) ?? []).length, PLOTS);
    assert.ok(!/<script|<link|<img|@import|src="http/i.test(html), 'no scripts, external CSS, images or fonts');
    for (const svg of html.match(/<svg[\s\S]*?<\/svg>/g) ?? []) assert.ok(!svg.includes('NaN'), 'no NaN in the inlined SVGs');
    assert.ok(html.includes('Toy experiment: routing &lt;&amp; gating&gt;'), 'title escaped');
    assert.ok(html.includes('&lt;b&gt;not bold&lt;/b&gt;'), 'config strings escaped');
    assert.ok(html.includes('loss became NaN at epoch 12 &lt;script&gt;'), 'failure listed and escaped');
    assert.ok(html.includes('Saxe, Sodhani &amp; Lewallen 2022, Fig. 4'), 'paper reference');
    assert.match(html, /class="banner partial"/);
    assert.match(html, /<details><summary>Config as run/);
    assert.ok(html.includes('href="runs/K%3D1-s0/loss.csv"'), 'per-run CSV links, URL-encoded');
    assert.ok(html.includes('href="summary.csv"'));
    // Same folder → same page (deterministic).
    assert.equal(renderHtmlReport(dir), html);
    // Ids are unique across the inlined SVGs.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'ids unique in the page');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no partial banner for complete results; many runs show the first seed of each point', () => {
  const dir = fixture();
  try {
    const html = renderHtmlReport(dir, { maxRunsWithPlots: 1 });
    assert.ok(!html.includes('class="banner partial"'));
    assert.match(html, /showing the plots of the first seed of each of the 2 sweep points/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('missing or corrupt results.json is a GDLN_IO error naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gdln-report-'));
  try {
    assert.throws(() => writeHtmlReport(dir), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_IO' && e.message.includes(join(dir, 'results.json')));
    writeFileSync(join(dir, 'results.json'), '{"experiment": "x", ');
    assert.throws(() => writeHtmlReport(dir), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_IO' && e.message.includes('results.json'));
    assert.ok(!existsSync(join(dir, 'report.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scopeSvgIds prefixes ids and their references', () => {
  const svg = '<svg><clipPath id="c0"><rect/></clipPath><g clip-path="url(#c0)"/><use href="#c0"/></svg>';
  assert.equal(scopeSvgIds(svg, 'p'), '<svg><clipPath id="p-c0"><rect/></clipPath><g clip-path="url(#p-c0)"/><use href="#p-c0"/></svg>');
});

test('gdln report <dir> writes report.html and prints its path', async () => {
  const dir = fixture();
  try {
    const lines: string[] = [];
    assert.equal(await reportCommand([dir], (l) => lines.push(l)), 0);
    assert.deepEqual(lines, [join(dir, 'report.html')]);
    assert.ok(existsSync(join(dir, 'report.html')));
    await assert.rejects(reportCommand([], () => {}), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT');
    await assert.rejects(reportCommand([join(dir, 'nope')], () => {}), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_IO');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Decodes an 8-bit RGB/RGBA non-interlaced PNG to its pixels (enough for Chromium's screenshots). */
function decodePng(buf: Buffer): { width: number; height: number; channels: number; pixels: Uint8Array } {
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let off = 8;
  let width = 0, height = 0, depth = 0, colorType = 0, interlace = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4); depth = data[8]; colorType = data[9]; interlace = data[12];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  assert.equal(depth, 8, 'bit depth 8');
  assert.equal(interlace, 0, 'not interlaced');
  const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  assert.ok(channels > 0, `colour type ${colorType} is RGB or RGBA`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = v & 255;
    }
  }
  return { width, height, channels, pixels };
}

test('report.html renders in headless Chromium: svgs, title, table rows, a non-blank screenshot', { timeout: 150_000 }, async (t) => {
  if (!findChromium()) {
    t.skip('chromium not installed: apt install chromium');
    return;
  }
  const dir = fixture({ partial: true, title: 'Toy experiment' });
  try {
    const path = writeHtmlReport(dir);
    const dom = await dumpDom(path, { timeoutMs: 60_000 });
    assert.equal((dom.match(/<svg[\s>]/g) ?? []).length, PLOTS, 'one rendered <svg> per plot');
    assert.match(dom, /<title>Toy experiment — gdln report<\/title>/);
    assert.match(dom, /<h1>Toy experiment<\/h1>/);
    const pointsTable = dom.match(/<table class="points">[\s\S]*?<\/table>/)?.[0] ?? '';
    assert.equal((pointsTable.match(/<tr>/g) ?? []).length, 1 + 3, 'header + 3 sweep points');
    const runsTable = dom.match(/<table class="runs">[\s\S]*?<\/table>/)?.[0] ?? '';
    assert.equal((runsTable.match(/<tr>/g) ?? []).length, 1 + 2, 'header + 2 runs');
    assert.match(dom, /Partial results: 2 of 3 runs finished/);

    const shot = join(dir, 'shot.png');
    await screenshot(path, shot, [1200, 2000], { timeoutMs: 60_000 });
    const png = decodePng(readFileSync(shot));
    assert.equal(png.width, 1200);
    let nonWhite = 0, reddish = 0, bluish = 0;
    const n = png.width * png.height;
    for (let i = 0; i < n; i++) {
      const r = png.pixels[i * png.channels], g = png.pixels[i * png.channels + 1], b = png.pixels[i * png.channels + 2];
      if (r < 245 || g < 245 || b < 245) nonWhite++;
      if (r > 150 && g < 90 && b < 90) reddish++;
      if (b > 150 && r < 90) bluish++;
    }
    assert.ok(nonWhite / n > 0.02, `screenshot has content (${((100 * nonWhite) / n).toFixed(1)}% non-white pixels)`);
    assert.ok(reddish > 50 && bluish > 50, `plots are drawn in colour (red ${reddish}, blue ${bluish} pixels)`);
    if (process.env.GDLN_KEEP_SCREENSHOT) writeFileSync(process.env.GDLN_KEEP_SCREENSHOT, readFileSync(shot));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
