/**
 * `autocannon` in a process of its own, so it never shares an event loop with
 * what it measures: `<url> <connections> <seconds|amount=N>`; prints
 * {rps, p50, p99, requests, errors, non2xx} as its last line.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

const [url, connections, run] = process.argv.slice(2);
const amount = run?.startsWith('amount=') ? Number(run.slice('amount='.length)) : undefined;
const started = performance.now();
const result = await autocannon({
  url: url!,
  connections: Number(connections),
  ...(amount ? { amount } : { duration: Number(run) }),
});
// Measured here: autocannon's own start and finish are whole seconds apart for short runs.
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  }),
);
