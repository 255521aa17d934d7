import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey, type ApiKeyRecord } from '../../../../functions/core/auth/api-key.ts';
import { authorize, type ApiKeyLookup } from '../../../../functions/core/auth/authorize.ts';

/** An in-memory key table, recording every hash it is asked for. */
function keyTable(records: ApiKeyRecord[]) {
  const byHash = new Map(records.map((r) => [r.keyHash, r]));
  const asked: string[] = [];
  const lookup: ApiKeyLookup = async (keyHash) => {
    asked.push(keyHash);
    return byHash.get(keyHash);
  };
  return { lookup, asked };
}

const active = generateApiKey();
const revoked = generateApiKey();
const legacy = generateApiKey();
const PRJ = 'prj_01kb2c3d4e5f6g7h8j9k0m1n2p';
const records: ApiKeyRecord[] = [
  { keyHash: active.keyHash, keyId: 'key_active', orgId: 'acme', projectId: PRJ, projectName: 'checkout', createdAt: '2026-01-01T00:00:00Z', label: 'ci' },
  { keyHash: revoked.keyHash, keyId: 'key_old', orgId: 'acme', projectId: PRJ, projectName: 'checkout', createdAt: '2025-01-01T00:00:00Z', revokedAt: '2026-01-02T00:00:00Z' },
  // Made before projects had ids: its project_id is the name another org may also use.
  { keyHash: legacy.keyHash, keyId: 'key_legacy', orgId: 'acme', projectId: 'checkout', projectName: 'checkout', createdAt: '2025-01-01T00:00:00Z' },
];

describe('authorize', () => {
  it('authenticates a known key as its org, project id and name, and key id, and nothing else', async () => {
    // Prepare
    const { lookup, asked } = keyTable(records);

    // Act
    const verdict = await authorize(`Bearer ${active.key}`, lookup);

    // Assess
    expect(verdict).toEqual({ authenticated: true, orgId: 'acme', projectId: PRJ, projectName: 'checkout', keyId: 'key_active' });
    expect(asked).toEqual([hashApiKey(active.key)]);
    // Simple-response authorizer context values must be scalars.
    for (const value of Object.values(verdict)) expect(['string', 'boolean']).toContain(typeof value);
  });

  it('looks the key up by its SHA-256, never by the key itself', async () => {
    const { lookup, asked } = keyTable(records);
    await authorize(`bearer   ${active.key}`, lookup);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(asked[0]).not.toContain(active.key);
  });

  it.each([[undefined], [''], ['Bearer'], ['Bearer   '], ['Basic dXNlcjpwYXNz']])('answers missing for %j without a lookup', async (header) => {
    const { lookup, asked } = keyTable(records);
    expect(await authorize(header, lookup)).toEqual({ authenticated: false, reason: 'missing' });
    expect(asked).toEqual([]);
  });

  it.each([
    ['a short key', 'rpr_abc'],
    ['another prefix', `sk_${'A'.repeat(43)}`],
    ['one character too many', `${'rpr_'}${'A'.repeat(44)}`],
    ['padding', `rpr_${'A'.repeat(42)}=`],
  ])('answers malformed for %s without a lookup', async (_case, key) => {
    const { lookup, asked } = keyTable(records);
    expect(await authorize(`Bearer ${key}`, lookup)).toEqual({ authenticated: false, reason: 'malformed' });
    expect(asked).toEqual([]);
  });

  it('answers unknown for a well-formed key that is not in the table', async () => {
    const { lookup, asked } = keyTable(records);
    const stranger = generateApiKey();
    expect(await authorize(`Bearer ${stranger.key}`, lookup)).toEqual({ authenticated: false, reason: 'unknown' });
    expect(asked).toEqual([stranger.keyHash]);
  });

  it('answers unknown when the lookup hands back a record for another hash', async () => {
    const wrongRecord: ApiKeyLookup = async () => records[0];
    expect(await authorize(`Bearer ${generateApiKey().key}`, wrongRecord)).toEqual({ authenticated: false, reason: 'unknown' });
  });

  it('answers revoked for a revoked key', async () => {
    const { lookup } = keyTable(records);
    expect(await authorize(`Bearer ${revoked.key}`, lookup)).toEqual({ authenticated: false, reason: 'revoked' });
  });

  it('refuses a key whose project is a name rather than a generated id', async () => {
    const { lookup } = keyTable(records);
    expect(await authorize(`Bearer ${legacy.key}`, lookup)).toEqual({ authenticated: false, reason: 'legacy' });
  });
});

describe('authorize when the key table cannot be read', () => {
  it('answers unavailable (a 503 downstream, not a 401: an outage is not a bad key) instead of throwing, and reports the error', async () => {
    const failure = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const reported: unknown[] = [];

    const verdict = await authorize(
      `Bearer ${active.key}`,
      async () => {
        throw failure;
      },
      (error) => reported.push(error),
    );

    expect(verdict).toEqual({ authenticated: false, reason: 'unavailable' });
    expect(reported).toEqual([failure]);
  });
});
