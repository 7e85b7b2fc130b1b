/**
 * The plot renderers: every PlotSpec kind gives well-formed, deterministic SVG
 * with its title, paper reference, axis labels and legend; no NaN ever reaches
 * the SVG; heatmap colours; error bars; PNGs of the stated size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPlotSvg } from '../../lib/report/renderPlot.ts';
import { heatmapColor, heatmapRange, NAN_COLOR } from '../../lib/report/heatmap.ts';
import { linePlotSvg } from '../../lib/report/svgPlot.ts';
import { panelGridSvg } from '../../lib/report/panelPlot.ts';
import { pngAvailable, svgToPng } from '../../lib/report/png.ts';
import type { HeatmapSpec, LinePlotSpec, PanelsSpec, PlotSpec } from '../../lib/report/plotSpec.ts';
import { GdlnError } from '../../lib/errors.ts';

/** Well-formed enough: one root <svg>, every opened tag closed, no NaN/undefined/Infinity. */
function assertSvg(svg: string): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+" viewBox="0 0 \d+ \d+"/);
  assert.ok(svg.endsWith('</svg>\n'));
  for (const bad of ['NaN', 'undefined', 'Infinity', 'null']) assert.ok(!svg.includes(bad), `no ${bad} in the SVG`);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the open tag`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'every tag is closed');
  assert.equal((svg.match(/<svg[\s>]/g) ?? []).length, 1);
}

const K = [1, 2, 4, 8, 16];
const linePlot: LinePlotSpec = {
  kind: 'line',
  id: 'error-vs-k',
  title: 'Generalisation error vs K/M',
  paperRef: 'Saxe, Sodhani & Lewallen 2022, Fig. 4f',
  xLabel: 'K/M',
  yLabel: 'test error',
  logX: true,
  series: [
    { name: 'trained', x: K, y: K.map((k) => 0.5 / Math.sqrt(k)), yErr: K.map(() => 0.02), markers: true },
    { name: 'untrained', x: K, y: K.map(() => 0.6), yErr: K.map(() => 0.03), markers: true },
    { name: 'theory', x: K, y: K.map((k) => 0.48 / Math.sqrt(k)), dashed: true },
  ],
};
const lossPlot: LinePlotSpec = {
  kind: 'line',
  id: 'loss',
  title: 'Training loss',
  paperRef: 'Fig. 2b',
  xLabel: 'epoch',
  yLabel: 'loss',
  logY: true,
  series: [
    { name: 'simulation', x: [0, 1, 2, 3, 4, 5], y: [1, 0.5, 0.2, 0.05, 0.01, 0] },
    { name: 'theory (eq. 12)', x: [0, 1, 2, 3, 4, 5], y: [1, 0.48, 0.19, 0.05, 0.01, 1e-3], dashed: true },
  ],
};
const heatmap: HeatmapSpec = {
  kind: 'heatmap',
  id: 'rsa',
  title: 'Representational similarity',
  paperRef: 'Fig. 6c',
  values: [
    [1, 0.5, -0.5],
    [0.5, 1, NaN],
    [-0.5, 0, 1],
  ],
  rowLabels: ['cat', 'dog', 'oak'],
  colLabels: ['cat', 'dog', 'oak'],
  rowBlocks: [{ label: 'animals', size: 2 }, { label: 'plants', size: 1 }],
  colBlocks: [{ label: 'animals', size: 2 }, { label: 'plants', size: 1 }],
  xLabel: 'item',
  yLabel: 'item',
};
const outputs: HeatmapSpec = {
  kind: 'heatmap',
  id: 'outputs',
  title: 'Network outputs',
  paperRef: 'Fig. 4h',
  values: [[0.9, -0.1], [0.2, 0.8], [-1, 0.3], [0, 0]],
  rowLabels: ['x1', 'x2', 'x3', 'x4'],
  colLabels: ['y1', 'y2'],
  xLabel: 'output unit',
  yLabel: 'input sample',
  scale: 'sequential',
};
const panels: PanelsSpec = {
  kind: 'panels',
  id: 'phase',
  title: 'Phase portraits',
  paperRef: 'Fig. 3',
  columns: 2,
  legend: [{ name: 'pathway a', color: '#1f77b4' }, { name: 'pathway b', color: '#d62728', dashed: true }],
  panels: [
    { title: 'depth 1', xLabel: 'a', yLabel: 'b', curves: [{ x: [0, 0.5, 1], y: [0, 0.4, 0.9] }, { x: [0], y: [0], markers: true, color: '#d62728' }] },
    { title: 'depth 2', xLabel: 'a', yLabel: 'b', curves: [{ x: [NaN, NaN], y: [1, 2] }] },
  ],
};

test('every plot kind renders well-formed SVG with title, paper reference, labels and legend', () => {
  const cases: [PlotSpec, string[]][] = [
    [linePlot, ['Generalisation error vs K/M', 'Saxe, Sodhani &amp; Lewallen 2022, Fig. 4f', 'K/M', 'test error', 'trained', 'untrained', 'theory']],
    [lossPlot, ['Training loss', 'Fig. 2b', 'epoch', 'loss', 'simulation', 'theory (eq. 12)', 'stroke-dasharray']],
    [heatmap, ['Representational similarity', 'Fig. 6c', 'item', 'cat', 'oak', 'animals', 'plants', 'not finite']],
    [outputs, ['Network outputs', 'Fig. 4h', 'output unit', 'input sample', 'x4', 'y2']],
    [panels, ['Phase portraits', 'Fig. 3', 'depth 1', 'depth 2', 'pathway a', 'pathway b', 'no finite data']],
  ];
  for (const [spec, texts] of cases) {
    const svg = renderPlotSvg(spec);
    assertSvg(svg);
    for (const t of texts) assert.ok(svg.includes(t), `${spec.id}: contains ${t}`);
    assert.equal(renderPlotSvg(structuredClone(spec)), svg, `${spec.id}: deterministic`);
  }
});

test('log axes label decades as powers of ten', () => {
  const svg = renderPlotSvg(lossPlot);
  assert.ok(svg.includes('>10⁻²<') || svg.includes('>10⁻³<'), 'decade labels');
});

test('error bars are drawn when yErr is given, and only then', () => {
  const svg = renderPlotSvg(linePlot);
  assert.equal((svg.match(/class="errbar"/g) ?? []).length, 2 * K.length);
  const noErr = renderPlotSvg({ ...linePlot, series: linePlot.series.map(({ yErr: _e, ...s }) => s) });
  assert.ok(!noErr.includes('class="errbar"'));
  // Markers: one dot per point (plus the legend's).
  assert.equal((svg.match(/<circle /g) ?? []).length, 2 * K.length + 2);
});

test('empty and non-finite data: axes and a note, never NaN, never a throw', () => {
  const specs: PlotSpec[] = [
    { kind: 'line', id: 'a', title: 'empty', xLabel: 'x', yLabel: 'y', series: [] },
    { kind: 'line', id: 'b', title: 'nan', xLabel: 'x', yLabel: 'y', logX: true, logY: true, series: [{ name: 's', x: [NaN, 0, -1], y: [1, NaN, Infinity], yErr: [NaN, NaN, NaN] }] },
    { kind: 'line', id: 'c', title: 'one point', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [3], y: [5], yErr: [10] }] },
    { kind: 'heatmap', id: 'd', title: 'empty map', values: [] },
    { kind: 'heatmap', id: 'e', title: 'nan map', values: [[NaN, NaN], [NaN]] },
    { kind: 'panels', id: 'f', title: 'no panels', columns: 3, panels: [] },
    // As read back from JSON: NaN became null.
    JSON.parse('{"kind":"line","id":"g","title":"read back","xLabel":"x","yLabel":"y","series":[{"name":"s","x":[1,2,3],"y":[null,2,null],"yErr":[null,null,null]}]}'),
  ];
  for (const spec of specs) {
    const svg = renderPlotSvg(spec);
    assertSvg(svg);
    if (spec.id !== 'c' && spec.id !== 'g') assert.match(svg, /no (finite data|panels)/, `${spec.id}: note`);
  }
});

test('unknown plot kinds are GDLN_INVALID_ARGUMENT', () => {
  assert.throws(() => renderPlotSvg({ kind: 'pie', id: 'x', title: 'x' } as unknown as PlotSpec), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT' && /pie/.test(e.message));
});

test('heatmap colours: diverging 0 → white, extremes → the end colours; sequential ends; NaN grey', () => {
  assert.equal(heatmapColor(0, -1, 1), '#ffffff');
  assert.equal(heatmapColor(0, -0.2, 3), '#ffffff', '0 stays white for an asymmetric range');
  assert.equal(heatmapColor(-1, -1, 1), '#2166ac');
  assert.equal(heatmapColor(1, -1, 1), '#b2182b');
  assert.equal(heatmapColor(5, -1, 1), '#b2182b', 'clamped beyond the range');
  assert.equal(heatmapColor(0, 0, 1, 'sequential'), '#440154');
  assert.equal(heatmapColor(1, 0, 1, 'sequential'), '#fde725');
  assert.equal(heatmapColor(NaN, -1, 1), NAN_COLOR);
  assert.deepEqual(heatmapRange([[0.2, -0.5], [NaN, 0.1]]), [-0.5, 0.5], 'diverging default range symmetric');
  assert.deepEqual(heatmapRange([[0.2, 3]], 'sequential'), [0.2, 3]);
  assert.deepEqual(heatmapRange([[0.2, 3]], 'diverging', [-4, 4]), [-4, 4]);
  // The rendered cells use these colours.
  const svg = renderPlotSvg({ kind: 'heatmap', id: 'h', title: 't', values: [[-2, 0, 2]] });
  for (const c of ['#2166ac', '#ffffff', '#b2182b']) assert.ok(svg.includes(`fill="${c}"`), c);
});

test('existing callers: linePlotSvg and panelGridSvg keep their signatures', () => {
  const svg = linePlotSvg([{ name: 'sim', x: new Float64Array([0, 1, 2]), y: new Float64Array([1, 0.5, 0.25]) }, { name: 'theory (eq. 23)', x: [0, 1, 2], y: [1, 0.5, 0.25], dashed: true }], { title: 'XOR', xLabel: 't', yLabel: 'loss', logY: true });
  assertSvg(svg);
  assert.match(svg, /theory \(eq\. 23\)/);
  const grid = panelGridSvg([{ title: 'p', curves: [{ x: [0, 1], y: [0, 1] }], xRange: [0, 1], yRange: [0, 1] }], { title: 'grid', columns: 1 });
  assertSvg(grid);
});

test('svgToPng makes a PNG of the stated size (white background, DejaVu Sans)', (t) => {
  const avail = pngAvailable();
  if (!avail.ok) {
    t.skip(`PNG rendering unavailable: ${avail.reason}`);
    return;
  }
  const svg = renderPlotSvg(linePlot);
  const png = svgToPng(svg, { width: 360 });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(view.getUint32(16), 360, 'IHDR width');
  assert.equal(view.getUint32(20), 220, 'IHDR height (aspect kept)');
  const def = svgToPng(renderPlotSvg(heatmap));
  const dv = new DataView(def.buffer, def.byteOffset, def.byteLength);
  const w = Number(renderPlotSvg(heatmap).match(/width="(\d+)"/)?.[1]);
  assert.equal(dv.getUint32(16), 2 * w, 'default scale 2');
  assert.deepEqual(svgToPng(svg, { width: 360 }), png, 'deterministic');
});
