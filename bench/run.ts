/**
 * `npm run bench [name…]`: starts the local platform in memory and runs the
 * benchmarks (all, or those named). Each prints a table — figure, baseline
 * from the same run, ratio — and writes bench/results/<name>.json.
 */
import { startPlatform } from '../lib/local/platform.ts';
import { printTable, writeResult, type BenchRow } from './harness.ts';
import { benchDetachedReplay } from './detached-replay.ts';
import { benchLedger } from './ledger.ts';
import { benchReplayRuns, startBenchProvider } from './replay-runs.ts';
import { benchSessionReplay } from './session-replay.ts';
import { benchReproducibility } from './reproducibility.ts';

type Bench = (platform: Awaited<ReturnType<typeof startPlatform>>) => Promise<{ rows: BenchRow[]; notes?: Record<string, unknown> }>;
/** Runs before the platform starts (what its functions must find configured); resolves to the clean-up. */
type Before = () => Promise<() => Promise<void>>;

const benches: Record<string, { title: string; run: Bench; before?: Before }> = {
  ledger: { title: 'Replay ledger (local HTTP server, DynamoDB Local)', run: benchLedger },
  'replay-runs': { title: 'Replay runs: tokenized_performance, synthetic_performance, full_fidelity_evaluation', run: benchReplayRuns, before: startBenchProvider },
  'detached-replay': { title: 'Detached replay: S3 prefix to a route queue', run: benchDetachedReplay },
  'session-replay': { title: 'Session replay: proxy overhead, instant and 1x replays (local targets)', run: benchSessionReplay },
  reproducibility: { title: 'Reproducibility: runs against a local agent, and the comparison', run: benchReproducibility },
};

const selected = process.argv.slice(2).filter((arg) => arg !== '--');
const unknown = selected.filter((name) => !(name in benches));
if (unknown.length) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}

const cleanups: (() => Promise<void>)[] = [];
for (const [name, bench] of Object.entries(benches)) if (bench.before && (!selected.length || selected.includes(name))) cleanups.push(await bench.before());
// Session replay's and reproducibility's targets are local servers.
const platform = await startPlatform({ port: 0, allowLoopbackTargets: true });
let missed = false;
try {
  for (const [name, bench] of Object.entries(benches)) {
    if (selected.length && !selected.includes(name)) continue;
    const { rows, notes } = await bench.run(platform);
    printTable(bench.title, rows);
    console.log(`→ ${writeResult(name, rows, notes ?? {})}`);
    missed ||= rows.some((r) => r.pass === false);
  }
} finally {
  await platform.stop();
  for (const cleanup of cleanups) await cleanup();
}
process.exit(missed ? 1 : 0);
