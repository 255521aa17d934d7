import { describe, expect, it } from 'vitest';
import { parseNamespaceGeneration, type NamespaceRecord } from '../../../../functions/core/replay-runs/namespaces.ts';
import { MAX_LISTED_VIOLATIONS, namespacesOf, verifyPurges } from '../../../../functions/core/replay-runs/purge-verification.ts';

const record = (namespace: string, purges: [number, string][]): NamespaceRecord => ({
  namespace,
  generation: purges.length + 1,
  purges: purges.map(([generation, purged_at]) => ({ generation, purged_at })),
  updated_at: purges.at(-1)?.[1] ?? '',
});

describe('purge verification', () => {
  it('parses "{namespace}:{generation}" with generations from 1, the last colon separating them', () => {
    expect(parseNamespaceGeneration('tenant-a:3')).toEqual({ namespace: 'tenant-a', generation: 3 });
    for (const bad of ['tenant-a', 'tenant-a:0', 'a:b:1', ':1', 'tenant a:1', 'x:01']) expect(parseNamespaceGeneration(bad), bad).toBeUndefined();
  });

  it('compares to the millisecond: reuse at the very time of the purge is not after it', () => {
    const namespaces = new Map([['n', record('n', [[1, '2026-11-01T10:00:00.500Z']])]]);
    const trace = (occurred_at: string) => ({ input_tokens: 10, output_tokens: 1, realized_reused_tokens: 5, namespace_generation: 'n:1', occurred_at });

    const metrics = verifyPurges([trace('2026-11-01T10:00:00.500Z'), trace('2026-11-01T10:00:00.501Z'), trace('2026-11-01T10:00:00.499Z')], namespaces);

    expect(metrics.violations).toBe(1);
    expect(metrics.first_violations.map((v) => v.trace_index)).toEqual([1]);
  });

  it(`counts every violation but lists the first ${MAX_LISTED_VIOLATIONS}`, () => {
    const namespaces = new Map([['n', record('n', [[1, '2026-01-01T00:00:00.000Z']])]]);
    const traces = Array.from({ length: 150 }, () => ({ input_tokens: 10, output_tokens: 1, realized_reused_tokens: 1, namespace_generation: 'n:1' }));

    const metrics = verifyPurges(traces, namespaces);

    expect(metrics).toMatchObject({ violations: 150, passed: false, traces_verified: 150 });
    expect(metrics.first_violations).toHaveLength(MAX_LISTED_VIOLATIONS);
    expect(metrics.namespaces).toEqual([{ namespace: 'n', generation: 2, purges: 1 }]);
    expect(namespacesOf([...traces, { input_tokens: 1, output_tokens: 1, namespace_generation: 'm:1' }]).sort()).toEqual(['m', 'n']);
  });
});
