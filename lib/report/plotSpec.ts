/**
 * Plots as data. Experiments return PlotSpecs; the report layer renders them to
 * SVG (renderPlotSvg, lib/report/renderPlot.ts) and PNG (svgToPng, lib/report/png.ts).
 * Keeping plots as data lets `gdln merge` and `gdln report` re-render them, and
 * lets results.json carry everything a figure was drawn from.
 */
import type { Panel } from './panelPlot.ts';

export interface LineSeriesSpec {
  name: string;
  x: number[];
  y: number[];
  /** Symmetric error bar (e.g. standard error over seeds) per point. */
  yErr?: number[];
  /** Dashed line (theory). */
  dashed?: boolean;
  /** Dots at the points, no line. */
  markers?: boolean;
  color?: string;
}

interface PlotBase {
  /** File stem: [a-z0-9-]+, unique within a run (e.g. 'loss', 'fig4f-untrained'). */
  id: string;
  title: string;
  /** The figure reproduced, e.g. 'Saxe et al. 2022, Fig. 4e'. Shown under the title. */
  paperRef?: string;
  /** Optional: one sentence shown under the plot in the HTML report (what to look for). */
  caption?: string;
}

export interface LinePlotSpec extends PlotBase {
  kind: 'line';
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  series: LineSeriesSpec[];
}

export interface HeatmapSpec extends PlotBase {
  kind: 'heatmap';
  /** values[row][col]. */
  values: number[][];
  rowLabels?: string[];
  colLabels?: string[];
  xLabel?: string;
  yLabel?: string;
  /** 'diverging' (blue–white–red, symmetric about 0; RSA, outputs) or 'sequential'. Default diverging. */
  scale?: 'diverging' | 'sequential';
  /** Fixed colour range (default the data's). */
  range?: [number, number];
  /** Optional: consecutive groups of rows / columns (e.g. domains), drawn as labelled brackets with separator lines. Sizes must sum to the row / column count. */
  rowBlocks?: { label: string; size: number }[];
  colBlocks?: { label: string; size: number }[];
  /** Optional: write each cell's value in it (default: when the matrix is small enough to read). */
  annotate?: boolean;
}

export interface PanelsSpec extends PlotBase {
  kind: 'panels';
  columns: number;
  panels: Panel[];
  legend?: { name: string; color: string; dashed?: boolean }[];
}

export type PlotSpec = LinePlotSpec | HeatmapSpec | PanelsSpec;
