/**
 * `gdln report <results-dir> [--open-check]`: (re)writes <dir>/report.html from
 * results.json and the runs' result.json files, and prints its path. With
 * --open-check it also loads the page in headless Chromium (offline, a fresh
 * profile) and checks that every plot rendered as an <svg> element.
 *
 * The headless-Chromium helpers are exported for the report tests.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GdlnError } from '../../errors.ts';
import { writeHtmlReport } from '../../report/htmlReport.ts';
import { commandHelp, parseCommand, type CommandFlags } from './sweep.ts';

const FLAGS: CommandFlags = {
  'open-check': { type: 'boolean', help: 'also open the page in headless Chromium and check that every plot renders' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const reportHelp = `gdln report <results-dir> [--open-check]\n  Writes <results-dir>/report.html: one self-contained page (inline SVG plots, no\n  network) with the paper figure, the config as run, the key numbers, the plots,\n  failures and links to the CSV files. Prints its path.\n${commandHelp(FLAGS)}`;

/** Chromium candidates, first existing wins ($GDLN_CHROMIUM overrides). */
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string | undefined {
  const env = process.env.GDLN_CHROMIUM;
  if (env) return existsSync(env) ? env : undefined;
  return CHROMIUM_PATHS.find((p) => existsSync(p));
}

export interface ChromiumResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs headless Chromium on a local file with a fresh profile and no network
 * services; kills its whole process group after timeoutMs (GDLN_IO on timeout).
 */
export function runHeadlessChromium(htmlPath: string, extraArgs: string[], options: { timeoutMs?: number; chromium?: string } = {}): Promise<ChromiumResult> {
  const chromium = options.chromium ?? findChromium();
  if (!chromium) return Promise.reject(new GdlnError('GDLN_UNSUPPORTED', 'Chromium not found (apt install chromium, or set GDLN_CHROMIUM)'));
  const profile = mkdtempSync(join(tmpdir(), 'gdln-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    ...extraArgs,
    pathToFileURL(resolve(htmlPath)).href,
  ];
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(chromium, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL'); // its process group: renderer and GPU helpers too
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
    };
    child.on('error', (err) => {
      cleanup();
      reject(new GdlnError('GDLN_IO', `Could not start ${chromium}: ${err.message}`));
    });
    child.on('close', (code) => {
      cleanup();
      if (timedOut) reject(new GdlnError('GDLN_IO', `${chromium} did not finish within ${timeoutMs / 1000} s (killed)`, { stderr: stderr.slice(-2000) }));
      else resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The DOM after load, as Chromium serialises it (--dump-dom). */
export async function dumpDom(htmlPath: string, options: { timeoutMs?: number; chromium?: string } = {}): Promise<string> {
  const r = await runHeadlessChromium(htmlPath, ['--dump-dom'], options);
  if (r.code !== 0 || !r.stdout.includes('<html')) throw new GdlnError('GDLN_IO', `Chromium --dump-dom failed (exit ${r.code}): ${r.stderr.slice(-800)}`);
  return r.stdout;
}

/** A PNG screenshot of the page (--screenshot) at the given window size. */
export async function screenshot(htmlPath: string, pngPath: string, size: [number, number] = [1200, 2000], options: { timeoutMs?: number; chromium?: string } = {}): Promise<void> {
  const r = await runHeadlessChromium(htmlPath, [`--screenshot=${resolve(pngPath)}`, `--window-size=${size[0]},${size[1]}`], options);
  if (r.code !== 0 || !existsSync(pngPath)) throw new GdlnError('GDLN_IO', `Chromium --screenshot failed (exit ${r.code}): ${r.stderr.slice(-800)}`);
}

/** Counts the <svg> elements and <figure> elements of the written page in the rendered DOM. */
export async function openCheck(reportPath: string, log: (l: string) => void): Promise<boolean> {
  const dom = await dumpDom(reportPath);
  const svgs = (dom.match(/<svg[\s>]/g) ?? []).length;
  const figures = (dom.match(/<figure[\s>]/g) ?? []).length;
  const broken = (dom.match(/class="plot-error"/g) ?? []).length;
  const ok = svgs === figures - broken && broken === 0;
  log(`open-check: ${svgs} plots rendered in headless Chromium${broken ? `, ${broken} could not be drawn` : ''}${ok ? '' : ` (expected ${figures})`}`);
  return ok;
}

export async function reportCommand(argv: string[], log: (l: string) => void): Promise<number> {
  const { values, positionals } = parseCommand(argv, FLAGS);
  if (values.help) {
    log(reportHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `gdln report: expected one results folder but received ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  const dir = resolve(positionals[0]);
  if (!existsSync(dir)) throw new GdlnError('GDLN_IO', `gdln report: no such folder ${dir}`, { path: dir });
  const path = writeHtmlReport(dir);
  log(path);
  if (values['open-check']) {
    if (!findChromium()) {
      log('open-check: skipped, Chromium not found (apt install chromium, or set GDLN_CHROMIUM)');
      return 1;
    }
    return (await openCheck(path, log)) ? 0 : 1;
  }
  return 0;
}
