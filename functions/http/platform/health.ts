import { createDependencyProbes } from '#adapters/aws/dependency-probes.ts';
import { checkDependencies, type HealthReport } from '#core/platform/health.ts';
import { buckets, queues, tables } from '#lib/catalogue.ts';
import { requireEnv } from '#shared/config.ts';
import { dependencyFailureOf } from '#shared/dependency-failure.ts';
import { httpRoute } from '#shared/http/route.ts';
import { version } from '#shared/version.ts';
import { health } from './contract.ts';

const probes = createDependencyProbes({
  table: requireEnv(tables.apiKeys.envName),
  queueUrl: requireEnv(queues.runs.envName),
  bucket: requireEnv(buckets.artifacts.envName),
});
const PROBE_TIMEOUT_MS = 2_000;
/** A public route: its answer is reused this long, so callers cannot turn it into load on the services. */
const REUSE_MS = 2_000;
let last: { at: number; report: Promise<HealthReport> } | undefined;

const reasonOf = (error: unknown) => dependencyFailureOf(error)?.reason ?? ((error as Error | undefined)?.name || 'error');

export const handler = httpRoute(health, async () => {
  if (!last || Date.now() - last.at > REUSE_MS) last = { at: Date.now(), report: checkDependencies(probes, reasonOf, PROBE_TIMEOUT_MS) };
  const { healthy, dependencies } = await last.report;
  return healthy
    ? { status: 200, body: { status: 'ok', version, dependencies } }
    : { status: 503, body: { status: 'unavailable', version, dependencies }, headers: { 'retry-after': '5' } };
});
