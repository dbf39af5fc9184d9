/**
 * The claims suite's chapter runs: every chapter's program in a child process of its own
 * (./chapter-child.ts), as many at once as the machine has cores, the most expensive first.
 * The test worker only waits for messages, so a chapter that computes for minutes never
 * blocks it. Chapter 00 trains the base models and leaves them in a folder of this run;
 * the chapters that start from them wait for it and read them there, so a test run trains
 * them once per backend, as an in-process run did, and never loads a shipped checkpoint.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyFile } from '../../scripts/checkpoints.ts';

/** What a chapter's run sends back. */
export interface ChapterReport {
  results?: unknown;
  error?: string;
  lines: string[];
  leaked: number;
  seconds: number;
  backend: string;
  /** Keys the chapter read from the store and wrote to it. */
  reads: string[];
  writes: string[];
}

/** What a chapter cost last time it was measured on a backend: seconds, and the keys it read. */
export interface Cost {
  seconds: number;
  reads: string[];
  writes: string[];
}

/** Measured costs by backend and chapter name (`test/chapter-costs.json`). */
export type Costs = Record<string, Record<string, Cost>>;

const CHILD = fileURLToPath(new URL('./chapter-child.ts', import.meta.url));

interface Job {
  chapter: string;
  name: string;
  cost: Cost;
  done: Promise<ChapterReport>;
  settle: (report: ChapterReport) => void;
  child?: ChildProcess;
}

export class ChapterPool {
  readonly keepDir = mkdtempSync(join(tmpdir(), 'rlhf-keep-'));
  private readonly jobs = new Map<string, Job>();
  private waiting: Job[] = [];
  private running = 0;
  private readonly available = new Set<string>();

  constructor(
    readonly backend: string,
    private readonly costs: Record<string, Cost>,
    private readonly workers = Number(process.env.RLHF_WORKERS) || availableParallelism(),
    private readonly say: (line: string) => void = () => {},
  ) {}

  /** Start running `chapters` (paths). A chapter with no measured cost is assumed slow and dependent. */
  start(chapters: readonly string[]): void {
    const produced = new Set(Object.values(this.costs).flatMap((c) => c.writes));
    for (const chapter of chapters) {
      const name = basename(chapter, '.md');
      const cost = this.costs[name] ?? { seconds: Infinity, reads: [...produced], writes: [] };
      let settle!: (report: ChapterReport) => void;
      const done = new Promise<ChapterReport>((resolve) => (settle = resolve));
      const job: Job = { chapter, name, cost, done, settle };
      this.jobs.set(name, job);
      this.waiting.push(job);
    }
    // Producers (whose output others wait for) first, then by cost, the most expensive first.
    const needed = new Set(this.waiting.flatMap((j) => j.cost.reads));
    const producer = (j: Job) => (j.cost.writes.some((k) => needed.has(k)) ? 0 : 1);
    this.waiting.sort((a, b) => producer(a) - producer(b) || b.cost.seconds - a.cost.seconds);
    this.next();
  }

  /** The report of chapter `name` (as in `05-dpo`), when its run has ended. */
  report(name: string): Promise<ChapterReport> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`${name} was not started`);
    return job.done;
  }

  /** What the store of this run holds under `key`, if anything. */
  kept(key: string): unknown {
    const file = join(this.keepDir, keyFile(key));
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  }

  /** The measured cost of every chapter that ran. */
  async measured(): Promise<Record<string, Cost>> {
    const out: Record<string, Cost> = {};
    for (const job of this.jobs.values()) {
      const r = await job.done;
      if (!r.error) out[job.name] = { seconds: Math.round(r.seconds * 10) / 10, reads: r.reads, writes: r.writes };
    }
    return out;
  }

  /** Stop every run still going, and remove the store. */
  stop(): void {
    for (const job of this.jobs.values()) job.child?.kill();
    rmSync(this.keepDir, { recursive: true, force: true });
  }

  /** Start ready jobs while there are free workers; a job is ready when what it reads exists. */
  private next(): void {
    while (this.running < this.workers && this.waiting.length > 0) {
      let i = this.waiting.findIndex((j) => j.cost.reads.every((k) => this.available.has(k)));
      if (i < 0 && this.running > 0) return; // wait for a producer to finish
      if (i < 0) i = 0; // nothing will produce what it reads: it computes that itself
      const [job] = this.waiting.splice(i, 1);
      this.launch(job);
    }
  }

  private launch(job: Job): void {
    this.running += 1;
    const child = fork(CHILD, [job.chapter, this.keepDir], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, RLHF_BACKEND: this.backend },
    });
    job.child = child;
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    let report: ChapterReport | undefined;
    child.on('message', (m) => (report = m as ChapterReport));
    let ended = false;
    const end = (how: string) => {
      if (ended) return;
      ended = true;
      this.running -= 1;
      const final: ChapterReport = report ?? {
        error: `the run of ${job.name} ended (${how}) without a report:\n${output}`,
        lines: [],
        leaked: 0,
        seconds: 0,
        backend: this.backend,
        reads: [],
        writes: [],
      };
      for (const key of final.writes) this.available.add(key);
      this.say(`${job.name} on ${this.backend}: ${final.error ? 'failed' : `${final.seconds.toFixed(1)} s`}`);
      job.settle(final);
      this.next();
    };
    child.on('exit', (code, signal) => end(signal ?? `exit ${code}`));
    // A process that could not be started never exits.
    child.on('error', (error) => child.pid === undefined && end(`not started: ${error.message}`));
  }
}
