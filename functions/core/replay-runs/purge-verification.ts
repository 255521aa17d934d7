import { parseNamespaceGeneration, unpurged, type NamespaceRecord } from './namespaces.ts';
import type { TraceEnvelope } from './trace.ts';

/** Violations listed in a report (all are counted). */
export const MAX_LISTED_VIOLATIONS = 100;

/**
 * Checks every trace that realised reuse against its namespace's purge
 * history. Reuse from a generation purged before the trace's `occurred_at` —
 * or, for a trace without a time, from any purged generation — is a
 * violation: an artifact of a purged generation was served after the purge.
 * Generations the namespace has not reached yet are counted apart (the
 * traffic names a generation this project never started).
 */
export function verifyPurges(traces: readonly TraceEnvelope[], namespaces: ReadonlyMap<string, NamespaceRecord>) {
  let withReuse = 0;
  let checked = 0;
  let withoutNamespace = 0;
  let unknownGeneration = 0;
  let violations = 0;
  const listed: { trace_index: number; namespace: string; generation: number; purged_at: string; occurred_at: string | null; reused_tokens: number }[] = [];

  traces.forEach((trace, index) => {
    const reused = trace.realized_reused_tokens ?? 0;
    if (reused <= 0) return;
    withReuse++;
    const named = trace.namespace_generation === undefined ? undefined : parseNamespaceGeneration(trace.namespace_generation);
    if (!named) {
      withoutNamespace++;
      return;
    }
    checked++;
    const record = namespaces.get(named.namespace) ?? unpurged(named.namespace);
    if (named.generation > record.generation) {
      unknownGeneration++;
      return;
    }
    const purge = record.purges.find((p) => p.generation === named.generation);
    if (!purge) return;
    const occurred = trace.occurred_at === undefined ? undefined : Date.parse(trace.occurred_at);
    if (occurred !== undefined && Date.parse(purge.purged_at) >= occurred) return;
    violations++;
    if (listed.length < MAX_LISTED_VIOLATIONS) {
      listed.push({
        trace_index: index,
        namespace: named.namespace,
        generation: named.generation,
        purged_at: purge.purged_at,
        occurred_at: trace.occurred_at ?? null,
        reused_tokens: reused,
      });
    }
  });

  const referenced = [...new Set(traces.flatMap((t) => (t.namespace_generation ? [parseNamespaceGeneration(t.namespace_generation)?.namespace ?? ''] : [])))]
    .filter(Boolean)
    .sort();
  return {
    traces_checked: traces.length,
    traces_with_reuse: withReuse,
    traces_verified: checked,
    traces_with_reuse_without_namespace_generation: withoutNamespace,
    traces_with_unknown_generation: unknownGeneration,
    violations,
    first_violations: listed,
    namespaces: referenced.slice(0, MAX_LISTED_VIOLATIONS).map((name) => {
      const record = namespaces.get(name) ?? unpurged(name);
      return { namespace: name, generation: record.generation, purges: record.purges.length };
    }),
    passed: violations === 0,
    recommended_profile: 'n/a' as const,
    failures: 0,
    dropped: 0,
  };
}

/** The namespaces a manifest names (for loading their histories). */
export function namespacesOf(traces: readonly TraceEnvelope[]): string[] {
  const names = new Set<string>();
  for (const trace of traces) {
    const named = trace.namespace_generation === undefined ? undefined : parseNamespaceGeneration(trace.namespace_generation);
    if (named) names.add(named.namespace);
  }
  return [...names];
}
