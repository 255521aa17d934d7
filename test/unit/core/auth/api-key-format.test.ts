import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, bearerToken, generateApiKey, hashApiKey, isWellFormedApiKey, sameHash } from '../../../../functions/core/auth/api-key.ts';

describe('generateApiKey', () => {
  it('makes rpr_ + 43 base64url characters that decode to 256 bits', () => {
    // Prepare
    const keys = Array.from({ length: 200 }, () => generateApiKey().key);

    // Assess
    for (const key of keys) {
      expect(key).toMatch(/^rpr_[A-Za-z0-9_-]{43}$/);
      expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
      const secret = Buffer.from(key.slice(API_KEY_PREFIX.length), 'base64url');
      expect(secret).toHaveLength(32);
      // Re-encoding gives the same text: no padding, no character the decoder silently dropped.
      expect(secret.toString('base64url')).toBe(key.slice(API_KEY_PREFIX.length));
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('returns the SHA-256 hex of the key as its hash, never the key itself', () => {
    // Act
    const { key, keyHash } = generateApiKey();

    // Assess
    expect(keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(keyHash).not.toContain(key.slice(API_KEY_PREFIX.length));
  });
});

describe('hashApiKey', () => {
  it('is SHA-256 in lower-case hex (FIPS 180-2 test vector)', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes of the key', () => {
    expect(hashApiKey('é')).toBe(createHash('sha256').update(Buffer.from([0xc3, 0xa9])).digest('hex'));
  });
});

describe('isWellFormedApiKey', () => {
  const body = 'A'.repeat(43);

  it.each([
    [`rpr_${body}`, true],
    [`rpr_${'-_'.repeat(21)}a`, true],
    [`rpr_${body}A`, false],
    [`rpr_${body.slice(1)}`, false],
    [`RPR_${body}`, false],
    [`sk_${body}`, false],
    [`rpr_${body.slice(1)}=`, false],
    [`rpr_${body.slice(1)}+`, false],
    [` rpr_${body}`, false],
    ['', false],
  ])('judges %j well-formed: %s', (key, expected) => {
    expect(isWellFormedApiKey(key)).toBe(expected);
  });
});

describe('sameHash', () => {
  const a = hashApiKey('one');
  const b = hashApiKey('two');

  it('is true for the same digest', () => {
    expect(sameHash(a, `${a}`)).toBe(true);
  });

  it('is false for different digests of the same length', () => {
    expect(sameHash(a, b)).toBe(false);
    // Differs only in the last nibble.
    const lastNibble = a.endsWith('0') ? '1' : '0';
    expect(sameHash(a, a.slice(0, -1) + lastNibble)).toBe(false);
  });

  it('is false, without throwing, for digests of different lengths', () => {
    expect(sameHash(a, a.slice(0, 62))).toBe(false);
    expect(sameHash(a, `${a}00`)).toBe(false);
    expect(sameHash(a, '')).toBe(false);
  });

  // Regression: hex-decoding the inputs dropped an odd trailing nibble and
  // everything from the first non-hex character, so different strings compared equal.
  it('is false for strings that differ only in an odd trailing nibble or non-hex characters', () => {
    expect(sameHash(a, `${a}f`)).toBe(false);
    expect(sameHash('ab', 'abzz')).toBe(false);
    expect(sameHash('not-hex', 'also-not-hex')).toBe(false);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['bEaReR abc', 'abc'],
    ['Bearer     abc', 'abc'],
    ['Bearer abc   ', 'abc'],
    ['Bearer rpr_x-y_z', 'rpr_x-y_z'],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    ['   '],
    ['Bearer'],
    ['Bearer '],
    ['Bearerabc'],
    ['Basic dXNlcjpwYXNz'],
    ['Token abc'],
    ['abc'],
    ['Bearer abc def'],
    [' Bearer abc'],
  ])('finds no bearer token in %j', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
