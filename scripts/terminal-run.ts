import cliProgress from 'cli-progress';
import type { Progress, Run } from '../src/runtime/run.ts';
import { fileKeep } from './keep.ts';

const silent: Progress = { tick() {}, done() {} };

/** `loss 0.412 · score 0.83`: a loop's latest statistics for the bar. */
function formatStats(stats: Record<string, number>): string {
  return Object.entries(stats)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(3)}`)
    .join(' · ');
}

/** True when progress bars belong on stderr: a terminal, and not CI or a test runner. */
export function wantsBars(): boolean {
  const env = process.env;
  return Boolean(process.stderr.isTTY) && !env.CI && !env.VITEST;
}

/** A bar on stderr for a loop of `total` steps, cleared when the loop is done. */
function terminalProgress(label: string, total: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label.padEnd(12)} {bar} {value}/{total} {stats}`,
      clearOnComplete: true,
      hideCursor: true,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { stats: '' });
  return {
    tick: (stats) => bar.increment(1, { stats: stats ? formatStats(stats) : '' }),
    done: () => bar.stop(),
  };
}

/**
 * The Run of a chapter started from a terminal: output on stdout, progress bars on stderr,
 * and what is worth keeping between runs (the base models) under `.cache/keep/`.
 */
export function terminalRun(root?: string): Run {
  const bars = wantsBars();
  const keep = root ? fileKeep(root) : undefined;
  return {
    log: (line) => console.log(line),
    progress: (label, total) => (bars ? terminalProgress(label, total) : silent),
    ...(keep && { keep }),
  };
}

/** A Run that records the output lines and shows no progress: for tests. */
export function recordingRun(): Run & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(...line.split('\n')), progress: () => silent };
}
