import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';

/** One benchmark row: a figure, the baseline it is set against in the same run, and their ratio. */
export interface BenchRow {
  name: string;
  figure: number;
  baseline: number;
  baselineName: string;
  unit: string;
  /** figure / baseline. */
  ratio: number;
  /** What the ratio should satisfy, in words, e.g. "≥ 0.8" (empty when informative only). */
  target?: string;
  pass?: boolean;
}

export function row(
  name: string,
  figure: number,
  baselineName: string,
  baseline: number,
  unit: string,
  check?: { target: string; pass: (ratio: number) => boolean },
): BenchRow {
  const ratio = baseline === 0 ? Number.NaN : figure / baseline;
  return { name, figure, baseline, baselineName, unit, ratio, ...(check ? { target: check.target, pass: check.pass(ratio) } : {}) };
}

/** Runs `task` `total` times at `concurrency`; returns operations per second. */
export async function throughput(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  const limit = pLimit(concurrency);
  const started = performance.now();
  await Promise.all(Array.from({ length: total }, (_, i) => limit(() => task(i))));
  return total / ((performance.now() - started) / 1000);
}

/** Median latency in ms of `samples` sequential runs of `task`, after `warmup` unmeasured runs. */
export async function medianLatency(samples: number, task: () => Promise<unknown>, warmup = 20): Promise<number> {
  for (let i = 0; i < warmup; i++) await task();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** The median of `values` (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Runs `script` (a path under bench/, or absolute) in a fresh Node — this
 * one, with `--import tsx` after `nodeArgs` — its stdout collected and its
 * stderr shown; resolves to the last line it printed, parsed as JSON. `env`
 * is added to this process's environment.
 */
export function runChild<T>(script: string, args: string[], { nodeArgs = [], env }: { nodeArgs?: string[]; env?: Record<string, string> } = {}): Promise<T> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', resolve(import.meta.dirname, script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('close', (code) => (code === 0 ? resolveRun(JSON.parse(out.trim().split('\n').at(-1)!) as T) : reject(new Error(`${script} ${args.join(' ')} exited ${code}`))));
  });
}

export function printTable(title: string, rows: BenchRow[]): void {
  const format = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3));
  console.log(`\n${title}`);
  console.table(
    rows.map((r) => ({
      benchmark: r.name,
      figure: `${format(r.figure)} ${r.unit}`,
      baseline: `${format(r.baseline)} ${r.unit} (${r.baselineName})`,
      ratio: format(r.ratio),
      target: r.target ?? '',
      result: r.pass === undefined ? '' : r.pass ? 'ok' : 'MISSED',
    })),
  );
}

/** Writes `bench/results/<name>.json` with the rows and the machine they ran on. */
export function writeResult(name: string, rows: BenchRow[], extra: Record<string, unknown> = {}): string {
  const dir = resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: name, at: new Date().toISOString(), node: process.version, cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency, rows, ...extra }, null, 2)}\n`,
  );
  return file;
}
