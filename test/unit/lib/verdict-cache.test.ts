import { describe, expect, it } from 'vitest';
import { createVerdictCache, type AuthorizerAnswer } from '../../../lib/local/verdict-cache.ts';
import { httpEvent } from '../support/api-gateway-event.ts';

const ask = (answer: AuthorizerAnswer) => {
  const calls = { count: 0 };
  return { calls, authorize: async () => (calls.count++, answer) };
};
const withKey = (key: string) => httpEvent({ headers: { authorization: `Bearer ${key}` } });

describe("the local gateway's authorizer answers", () => {
  it('keep a verdict per key, and ask again for another key', async () => {
    const cache = createVerdictCache(60);
    const known = ask({ isAuthorized: true, context: { authenticated: true, orgId: 'o' } });

    for (let i = 0; i < 3; i++) expect(await cache.answer(withKey('a'), known.authorize)).toEqual({ isAuthorized: true, context: { authenticated: true, orgId: 'o' } });
    await cache.answer(withKey('b'), known.authorize);

    expect(known.calls.count).toBe(2);
  });

  it('keep a refusal of a key too (unknown, revoked), as the authorizer keeps its lookups', async () => {
    const cache = createVerdictCache(60);
    const unknown = ask({ isAuthorized: true, context: { authenticated: false, reason: 'unknown' } });

    await cache.answer(withKey('x'), unknown.authorize);
    await cache.answer(withKey('x'), unknown.authorize);

    expect(unknown.calls.count).toBe(1);
  });

  it('never keep an answer that says the key table could not be read', async () => {
    const cache = createVerdictCache(60);
    const outage = ask({ isAuthorized: true, context: { authenticated: false, reason: 'unavailable' } });

    await cache.answer(withKey('a'), outage.authorize);
    await cache.answer(withKey('a'), outage.authorize);

    expect(outage.calls.count).toBe(2);
  });
});
