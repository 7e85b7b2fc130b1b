/**
 * PlotSpec → SVG: the one entry point the experiment runner, `gdln merge` and
 * `gdln report` use to draw a plot from its data. Deterministic (same spec →
 * same bytes) and tolerant of what a results.json may hold: missing arrays are
 * empty, non-finite values are skipped, and a plot with nothing finite to draw
 * shows its axes and a "no finite data" note instead of failing.
 */
import { GdlnError } from '../errors.ts';
import { heatmapSvg } from './heatmap.ts';
import { panelGridSvg } from './panelPlot.ts';
import type { PlotSpec } from './plotSpec.ts';
import { linePlotSvg } from './svgPlot.ts';

function arr(v: unknown): number[] {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? x : x === null ? NaN : Number(x)));
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  return [];
}

/** Renders a PlotSpec (line | heatmap | panels) to a standalone SVG document. */
export function renderPlotSvg(spec: PlotSpec): string {
  if (!spec || typeof spec !== 'object') throw new GdlnError('GDLN_INVALID_ARGUMENT', `Expected a plot spec object but received ${spec === null ? 'null' : typeof spec}`);
  const title = String(spec.title ?? spec.id ?? '');
  const subtitle = spec.paperRef ? String(spec.paperRef) : undefined;
  switch (spec.kind) {
    case 'line':
      return linePlotSvg(
        (Array.isArray(spec.series) ? spec.series : []).map((s) => ({
          name: String(s?.name ?? ''),
          x: arr(s?.x),
          y: arr(s?.y),
          ...(s?.yErr ? { yErr: arr(s.yErr) } : {}),
          dashed: !!s?.dashed,
          markers: !!s?.markers,
          ...(s?.color ? { color: String(s.color) } : {}),
        })),
        { title, subtitle, xLabel: String(spec.xLabel ?? ''), yLabel: String(spec.yLabel ?? ''), logX: !!spec.logX, logY: !!spec.logY },
      );
    case 'heatmap':
      return heatmapSvg((Array.isArray(spec.values) ? spec.values : []).map(arr), {
        title,
        subtitle,
        rowLabels: spec.rowLabels,
        colLabels: spec.colLabels,
        xLabel: spec.xLabel,
        yLabel: spec.yLabel,
        scale: spec.scale === 'sequential' ? 'sequential' : 'diverging',
        range: spec.range,
        rowBlocks: spec.rowBlocks,
        colBlocks: spec.colBlocks,
        annotate: spec.annotate,
      });
    case 'panels':
      return panelGridSvg(
        (Array.isArray(spec.panels) ? spec.panels : []).map((p) => ({ ...p, curves: (Array.isArray(p?.curves) ? p.curves : []).map((c) => ({ ...c, x: arr(c?.x), y: arr(c?.y) })) })),
        { title, subtitle, columns: Number(spec.columns) || 1, legend: spec.legend },
      );
    default:
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `Expected a plot kind of line, heatmap or panels for plot ${JSON.stringify((spec as { id?: unknown }).id)} but received ${JSON.stringify((spec as { kind?: unknown }).kind)}`, {
        plot: (spec as { id?: unknown }).id,
      });
  }
}
