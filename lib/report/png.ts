/**
 * SVG → PNG with @resvg/resvg-js (a prebuilt native module from npm): text in
 * DejaVu Sans (the system's, loaded from its font files when found, else from the
 * system font directories), on a white background. Default scale 2 (crisp in
 * slides and papers). When the module cannot be loaded, svgToPng throws
 * GDLN_UNSUPPORTED with the reason and pngAvailable() says so up front, so callers
 * can skip PNGs with a warning.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { GdlnError } from '../errors.ts';

export interface PngOptions {
  /** Output width in px (height follows the aspect ratio). Overrides scale. */
  width?: number;
  /** Zoom factor on the SVG's own size (default 2). */
  scale?: number;
  /** Background colour (default white). */
  background?: string;
}

interface ResvgModule {
  Resvg: new (svg: string, opts: Record<string, unknown>) => { render(): { asPng(): Uint8Array | Buffer; width: number; height: number } };
}

let loaded: { mod?: ResvgModule; reason?: string } | undefined;

function load(): { mod?: ResvgModule; reason?: string } {
  if (!loaded) {
    try {
      const mod = createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
      if (typeof mod?.Resvg !== 'function') throw new Error('the module has no Resvg class');
      loaded = { mod };
    } catch (err) {
      loaded = { reason: `@resvg/resvg-js could not be loaded (${(err as Error).message.split('\n')[0]}); PNGs need it (npm install @resvg/resvg-js)` };
    }
  }
  return loaded;
}

/** Whether PNGs can be made here, and if not why. */
export function pngAvailable(): { ok: boolean; reason?: string } {
  const l = load();
  return l.mod ? { ok: true } : { ok: false, reason: l.reason };
}

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF', '/usr/local/share/fonts', '/Library/Fonts', 'C:\\Windows\\Fonts'];
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'];

let fontFiles: string[] | undefined;
/** DejaVu Sans font files when installed (fonts-dejavu-core), else []. */
export function dejavuFontFiles(): string[] {
  if (!fontFiles) {
    fontFiles = [];
    for (const dir of FONT_DIRS) {
      const found = FONT_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
      if (found.length) { fontFiles = found; break; }
    }
  }
  return fontFiles;
}

/** Renders an SVG document to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const l = load();
  if (!l.mod) throw new GdlnError('GDLN_UNSUPPORTED', `Cannot make PNGs: ${l.reason}`, { reason: l.reason });
  const files = dejavuFontFiles();
  const fitTo =
    options.width !== undefined
      ? { mode: 'width', value: Math.max(1, Math.round(options.width)) }
      : { mode: 'zoom', value: options.scale !== undefined && options.scale > 0 ? options.scale : 2 };
  try {
    const r = new l.mod.Resvg(svg, {
      background: options.background ?? 'white',
      fitTo,
      font: {
        // The DejaVu files alone are fast and the same everywhere; else whatever the system has.
        loadSystemFonts: files.length === 0,
        fontFiles: files,
        defaultFontFamily: 'DejaVu Sans',
        sansSerifFamily: 'DejaVu Sans',
      },
      shapeRendering: 2,
      textRendering: 1,
    });
    const png = r.render().asPng();
    return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
  } catch (err) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `Could not render the SVG to PNG: ${(err as Error).message}`);
  }
}
