/**
 * Progress of an experiment run on stderr: on a TTY a redrawn bar (runs done /
 * total, the running runs' fractions, elapsed and ETA); otherwise at most one
 * plain line per finished run. `quiet` prints only failures.
 */
import type { RunnerEvent } from '../experiments/framework/runner.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  quiet?: boolean;
  /** Force TTY / plain mode (default: stream.isTTY). */
  tty?: boolean;
  now?: () => number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function formatMetrics(metrics: Record<string, number>, max = 3): string {
  const entries = Object.entries(metrics).slice(0, max);
  const more = Object.keys(metrics).length > max ? ' …' : '';
  return entries.map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ') + more;
}

export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private total = 0;
  private finished = 0;
  private failed = 0;
  private started = 0;
  private readonly active = new Map<string, { fraction: number; message?: string }>();
  private lastDraw = 0;
  private barShown = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.quiet = options.quiet === true;
    this.now = options.now ?? (() => Date.now());
  }

  /** Prints a line above the bar (or plainly). */
  line(text: string): void {
    this.clearBar();
    this.stream.write(text + '\n');
    this.draw(true);
  }

  handle(event: RunnerEvent): void {
    switch (event.type) {
      case 'plan':
        this.total = event.toRun;
        this.started = this.now();
        break;
      case 'start':
        this.active.set(event.id, { fraction: 0 });
        this.draw(true);
        break;
      case 'progress': {
        const a = this.active.get(event.id);
        if (a) {
          a.fraction = event.fraction;
          a.message = event.message;
        }
        this.draw(false);
        break;
      }
      case 'done':
        this.active.delete(event.id);
        this.finished++;
        if (!this.quiet && !this.tty) this.line(`[${this.finished + this.failed}/${this.total}] ${event.id} done in ${formatDuration(event.seconds)}  ${formatMetrics(event.metrics)}`);
        else this.draw(true);
        break;
      case 'failed':
        this.active.delete(event.id);
        this.failed++;
        this.line(`[${this.finished + this.failed}/${this.total}] ${event.id} FAILED: ${event.code}: ${event.message.split('\n')[0]}`);
        break;
      case 'aborting':
        this.line('interrupted: stopping the running runs and keeping the finished ones (Ctrl-C again to quit at once)');
        break;
      case 'finalizing':
        this.stop();
        break;
      case 'log':
        break;
    }
  }

  /** Removes the bar (before printing the final summary). */
  stop(): void {
    this.clearBar();
  }

  /** The bar's text (exposed for tests). */
  barText(width = 100): string {
    const work = this.finished + this.failed + [...this.active.values()].reduce((a, r) => a + r.fraction, 0);
    const elapsed = (this.now() - this.started) / 1000;
    const rate = work / Math.max(elapsed, 1e-9);
    const eta = work > 0 ? (this.total - work) / rate : NaN;
    const cells = 20;
    const filled = Math.round((cells * work) / Math.max(this.total, 1));
    const bar = '█'.repeat(Math.min(cells, filled)) + '░'.repeat(Math.max(0, cells - filled));
    const running = [...this.active.entries()].map(([id, r]) => `${id} ${Math.round(100 * r.fraction)}%`);
    const runningText = running.length > 2 ? `${running.slice(0, 2).join(', ')} +${running.length - 2}` : running.join(', ');
    const text = `${bar} ${this.finished + this.failed}/${this.total} runs${this.failed ? ` (${this.failed} failed)` : ''}${runningText ? ` · ${runningText}` : ''} · ${formatDuration(elapsed)} · ETA ${formatDuration(eta)}`;
    return text.length > width ? text.slice(0, width - 1) + '…' : text;
  }

  private draw(force: boolean): void {
    if (!this.tty || this.quiet || this.total === 0) return;
    const t = this.now();
    if (!force && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.stream.write(`\r\x1b[2K${this.barText(Math.max(20, (this.stream.columns ?? 100) - 1))}`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (this.barShown) {
      this.stream.write('\r\x1b[2K');
      this.barShown = false;
    }
  }
}
