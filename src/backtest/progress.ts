/**
 * Progress of a long backtest, for a person watching stderr: one status line, redrawn in place
 * on a terminal, or a plain line at most every few seconds when asked for with `--progress` on a
 * pipe (CI logs). Shows only what the replays report; decides nothing.
 */
import { formatTime, type Instant } from '../core/time.js';
import { formatOffset } from './plan.js';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ReplayProgress {
  /** A replay begins (1-based index of `total`). */
  start(index: number, total: number, start: Instant, stop: Instant): void;
  /** A measurement was taken at `at`. */
  measured(at: Instant): void;
  /** All replays are done: clear the line. */
  done(): void;
}

const TTY_EVERY_MS = 100;
const PIPE_EVERY_MS = 2000;

export const noProgress: ReplayProgress = { start() {}, measured() {}, done() {} };

export class LineReplayProgress implements ReplayProgress {
  private index = 0;
  private total = 0;
  private startAt = 0;
  private stopAt = 0;
  private count = 0;
  private lastDrawn = 0;
  private drawn = false;

  /** `wall` is the real clock, used only to pace redraws. */
  constructor(
    private readonly stream: ProgressStream,
    private readonly wall: () => number,
  ) {}

  start(index: number, total: number, start: Instant, stop: Instant): void {
    Object.assign(this, { index, total, startAt: start, stopAt: stop, count: 0 });
    this.draw(start, true);
  }

  measured(at: Instant): void {
    this.count++;
    this.draw(at, false);
  }

  done(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[2K');
  }

  private draw(at: Instant, force: boolean): void {
    const now = this.wall();
    const pace = this.stream.isTTY ? TTY_EVERY_MS : PIPE_EVERY_MS;
    if (!force && now - this.lastDrawn < pace) return;
    this.lastDrawn = now;
    const which = this.total > 1 ? `replay ${this.index}/${this.total} from ${formatTime(this.startAt)}` : `replay from ${formatTime(this.startAt)}`;
    const line =
      `backtest: ${which}: at ${formatOffset(at - this.startAt)} of ${formatOffset(this.stopAt - this.startAt)}, ` +
      `${this.count} measurement${this.count === 1 ? '' : 's'}`;
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
    this.drawn = true;
  }
}
