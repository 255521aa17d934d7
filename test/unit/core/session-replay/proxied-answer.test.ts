import { describe, expect, it } from 'vitest';
import { confinedToProxy, cookieUnderProxy } from '#core/session-replay/proxied-answer.ts';

const answer = (headers: Record<string, string>, cookies: string[] = []) => ({ status: 200, headers, cookies, body: Buffer.from('<p>hi</p>') });

describe('an upstream answer served from the API origin', () => {
  it('is sandboxed and never sniffed, on top of any policy the upstream set', () => {
    expect(confinedToProxy(answer({ 'content-type': 'text/html' }), 'pxt_a').headers).toEqual({
      'content-type': 'text/html',
      'content-security-policy': 'sandbox',
      'x-content-type-options': 'nosniff',
    });
    expect(confinedToProxy(answer({ 'content-security-policy': "script-src 'unsafe-inline'" }), 'pxt_a').headers['content-security-policy']).toBe("script-src 'unsafe-inline', sandbox");
  });

  it.each(['service-worker-allowed', 'clear-site-data', 'strict-transport-security', 'alt-svc'])('cannot act on the whole origin or host through %s', (name) => {
    expect(confinedToProxy(answer({ [name]: '"storage", "cookies"', 'x-kept': '1' }), 'pxt_a').headers).toEqual({
      'x-kept': '1',
      'content-security-policy': 'sandbox',
      'x-content-type-options': 'nosniff',
    });
  });

  it('keeps status and body as they came', () => {
    const confined = confinedToProxy({ ...answer({}), status: 418 }, 'pxt_a');
    expect([confined.status, confined.body.toString()]).toEqual([418, '<p>hi</p>']);
  });
});

describe('a cookie set through the proxy', () => {
  const prefix = '/proxy/pxt_a';
  it.each([
    ['sid=1; Path=/; HttpOnly', 'sid=1; Path=/proxy/pxt_a; HttpOnly'],
    ['sid=1; path=/app; Secure', 'sid=1; Path=/proxy/pxt_a/app; Secure'],
    ['sid=1', 'sid=1; Path=/proxy/pxt_a'],
    ['sid=1; Path=relative', 'sid=1; Path=/proxy/pxt_a'],
    ['sid=1; Domain=upstream.example; Max-Age=60', 'sid=1; Path=/proxy/pxt_a; Max-Age=60'],
    ['t=a=b; Expires=Wed, 21 Oct 2037 07:28:00 GMT', 't=a=b; Path=/proxy/pxt_a; Expires=Wed, 21 Oct 2037 07:28:00 GMT'],
  ])('%s → %s', (cookie, expected) => {
    expect(cookieUnderProxy(cookie, prefix)).toBe(expected);
  });

  it('stays under its endpoint in the answer', () => {
    expect(confinedToProxy(answer({}, ['a=1; Path=/', 'b=2']), 'pxt_a').cookies).toEqual(['a=1; Path=/proxy/pxt_a', 'b=2; Path=/proxy/pxt_a']);
  });
});
