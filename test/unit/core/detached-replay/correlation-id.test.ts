import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse as parseUuid, v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { correlationIdOf } from '#core/detached-replay/publish-page.ts';

/** Keys like the replayed ones and keys that stress UTF-8: accents, CJK, emoji (surrogate pairs), a lone surrogate, XML's specials. */
function keys(executionId: string): string[] {
  const samples = ['é', 'naïve/ß', '日本語のキー', '😀/🇫🇷', '\uD800', 'a\uDFFFb', '&<>"\'', ' ', '', 'x'.repeat(1_024), '\u0000\u007f\u0080\u07ff\u0800\uffff'];
  const out: string[] = [];
  for (let i = 0; i < 2_000; i++) {
    out.push(`prj_0123456789/${executionId}/stage/doc-${String(i).padStart(7, '0')}.json`);
    out.push(`prj_x/${executionId}/stage/${samples[i % samples.length]}-${i}${samples[(i * 7) % samples.length]}`);
  }
  // Random code points, from every plane.
  for (let i = 0; i < 500; i++) out.push(String.fromCodePoint(...Array.from({ length: 1 + (i % 40) }, () => Math.floor(Math.random() * 0x10ffff))).replace(/[\uD800-\uDFFF]/g, 'z'));
  return out;
}

describe('correlationIdOf', () => {
  it.each([
    ['a v7 execution id', uuidv7()],
    ['a v4 execution id', randomUUID()],
    ['an upper-case execution id', randomUUID().toUpperCase()],
  ])('is uuid’s v5 of the key in the execution’s namespace, for %s', (_, executionId) => {
    const namespace = parseUuid(executionId);
    for (const key of keys(executionId)) {
      // The key's UTF-8 bytes (a lone surrogate, which no S3 key holds, becomes U+FFFD; uuid's own text conversion throws on it).
      const expected = uuidv5(Buffer.from(key, 'utf8'), executionId);
      expect(correlationIdOf(executionId, key)).toBe(expected);
      expect(correlationIdOf(namespace, key)).toBe(expected);
      if (key.isWellFormed()) expect(uuidv5(key, executionId)).toBe(expected);
    }
  });

  it('gives different ids for different keys and different executions', () => {
    const [a, b] = [uuidv7(), uuidv7()];
    expect(correlationIdOf(a, 'k1')).not.toBe(correlationIdOf(a, 'k2'));
    expect(correlationIdOf(a, 'k1')).not.toBe(correlationIdOf(b, 'k1'));
    expect(correlationIdOf(a, 'k1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses an execution id that is not a UUID, as uuid does', () => {
    expect(() => correlationIdOf('not-a-uuid', 'k')).toThrow();
  });
});
