import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerToken, generateApiKey, hashApiKey, isWellFormedApiKey, sameHash } from '../../../../functions/core/auth/api-key.ts';
import { authorize } from '../../../../functions/core/auth/authorize.ts';

describe('API keys', () => {
  it('are rpr_ + 256 random bits, stored as their SHA-256', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^rpr_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.key.slice(4), 'base64url')).toHaveLength(32);
    expect(a.key).not.toBe(b.key);
    expect(a.keyHash).toBe(createHash('sha256').update(a.key).digest('hex'));
    expect(hashApiKey(a.key)).toBe(a.keyHash);
    expect(isWellFormedApiKey(a.key)).toBe(true);
    expect(isWellFormedApiKey(`${a.key}x`)).toBe(false);
    expect(isWellFormedApiKey(a.key.replace('rpr_', 'sk_'))).toBe(false);
  });

  it('compare hashes in constant time, and unequal lengths as different', () => {
    const { keyHash } = generateApiKey();
    expect(sameHash(keyHash, keyHash)).toBe(true);
    expect(sameHash(keyHash, generateApiKey().keyHash)).toBe(false);
    expect(sameHash(keyHash, keyHash.slice(2))).toBe(false);
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer    abc  ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('read %j as the token %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('authorize', () => {
  const { key, keyHash } = generateApiKey();
  const record = { keyHash, keyId: 'key_1', orgId: 'org', projectId: 'prj', createdAt: '2026-01-01T00:00:00Z' };
  const lookups: string[] = [];
  const lookup = async (hash: string) => {
    lookups.push(hash);
    return hash === keyHash ? record : undefined;
  };

  it('authenticates a known key with its org, project and key id', async () => {
    expect(await authorize(`Bearer ${key}`, lookup)).toEqual({ authenticated: true, orgId: 'org', projectId: 'prj', keyId: 'key_1' });
  });

  it('refuses missing and malformed keys without a lookup', async () => {
    lookups.length = 0;
    expect(await authorize(undefined, lookup)).toEqual({ authenticated: false, reason: 'missing' });
    expect(await authorize('Bearer nope', lookup)).toEqual({ authenticated: false, reason: 'malformed' });
    expect(lookups).toEqual([]);
  });

  it('refuses unknown and revoked keys', async () => {
    expect(await authorize(`Bearer ${generateApiKey().key}`, lookup)).toEqual({ authenticated: false, reason: 'unknown' });
    const revoked = async () => ({ ...record, revokedAt: '2026-02-01T00:00:00Z' });
    expect(await authorize(`Bearer ${key}`, revoked)).toEqual({ authenticated: false, reason: 'revoked' });
  });
});
