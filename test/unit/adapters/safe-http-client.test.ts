import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSafeHttpClient, OutboundRequestError } from '../../../functions/adapters/http/safe-http-client.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
});

/** A real HTTP server on `host`, answering with `handle`. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void, host = '127.0.0.1'): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handle(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

async function refusal(promise: Promise<unknown>): Promise<OutboundRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRequestError);
  return error as OutboundRequestError;
}

describe('the safe outbound client', () => {
  const client = createSafeHttpClient({ timeoutMs: 2_000, connectTimeoutMs: 500 });

  it.each([
    'http://127.0.0.1/',
    'http://127.5.6.7/',
    'http://[::1]/',
    'http://localhost/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://017700000001/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://[fc00::1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fe80::1]/',
    'http://100.64.0.1/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::ffff:127.0.0.1]/',
    'http://224.0.0.1/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'https://10.1.2.3/',
  ])('refuses %s before connecting', async (url) => {
    const error = await refusal(client.request(url));
    expect(error.code).toBe('blocked_address');
    expect(error.message).not.toMatch(/authorization|bearer/i);
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'not a url', 'http://user:secret@example.com/'])('refuses %s as an invalid URL', async (url) => {
    const error = await refusal(client.request(url));
    expect(error.code).toBe('invalid_url');
    expect(error.message).not.toContain('secret');
  });

  it('reaches loopback only when allowed, and still refuses private and metadata addresses then', async () => {
    const target = await serve((_req, res) => res.end('pong'));
    const local = createSafeHttpClient({ allowLoopback: true, timeoutMs: 2_000 });

    const response = await local.request(`${target}/ping`);

    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('pong');
    expect((await refusal(local.request('http://10.0.0.1/'))).code).toBe('blocked_address');
    expect((await refusal(local.request('http://169.254.169.254/'))).code).toBe('blocked_address');
    expect((await refusal(local.request('http://[::ffff:7f00:1]/'))).code).toBe('blocked_address');
  });

  it('refuses a redirect from an allowed host to 127.0.0.1', async () => {
    const forbidden = await serve((_req, res) => res.end('secret'));
    const redirector = await serve((_req, res) => {
      res.writeHead(302, { location: `${forbidden}/admin` }).end();
    }, '127.0.0.2');
    const onlyRedirector = createSafeHttpClient({ allowAddresses: ['127.0.0.2'], timeoutMs: 2_000 });

    const error = await refusal(onlyRedirector.request(`${redirector}/start`));

    expect(error.code).toBe('blocked_address');
  });

  it('follows redirects up to the limit, then stops', async () => {
    const base = await serve((req, res) => {
      const n = Number(req.url?.slice(1) ?? 0);
      if (n < 4) res.writeHead(302, { location: `/${n + 1}` }).end();
      else res.end(`arrived at ${n}`);
    });
    const loopback = (maxRedirects: number) => createSafeHttpClient({ allowLoopback: true, maxRedirects, timeoutMs: 2_000 });

    const followed = await loopback(4).request(`${base}/0`);

    expect(followed.body.toString()).toBe('arrived at 4');
    expect(followed.redirects).toBe(4);
    expect(followed.url).toBe(`${base}/4`);
    expect((await refusal(loopback(3).request(`${base}/0`))).code).toBe('too_many_redirects');
  });

  it('keeps credentials on a same-origin redirect and drops them across origins', async () => {
    const seen: Record<string, string | undefined> = {};
    const other = await serve((req, res) => {
      seen.other = req.headers.authorization;
      res.end('ok');
    }, '127.0.0.2');
    const origin = await serve((req, res) => {
      if (req.url === '/first') {
        seen.first = req.headers.authorization;
        res.writeHead(307, { location: '/second' }).end();
      } else if (req.url === '/second') {
        seen.second = req.headers.authorization;
        res.writeHead(307, { location: `${other}/third` }).end();
      }
    });
    const client2 = createSafeHttpClient({ allowLoopback: true, allowAddresses: ['127.0.0.2'], timeoutMs: 2_000 });

    await client2.request(`${origin}/first`, { headers: { Authorization: 'Bearer t0k3n' } });

    expect(seen).toEqual({ first: 'Bearer t0k3n', second: 'Bearer t0k3n', other: undefined });
  });

  it('turns a POST into a GET without body on 303', async () => {
    const calls: { method?: string; body: string }[] = [];
    const base = await serve((req, res, body) => {
      calls.push({ ...(req.method ? { method: req.method } : {}), body });
      if (req.url === '/submit') res.writeHead(303, { location: '/done' }).end();
      else res.end('done');
    });
    await createSafeHttpClient({ allowLoopback: true }).request(`${base}/submit`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(calls).toEqual([
      { method: 'POST', body: '{"a":1}' },
      { method: 'GET', body: '' },
    ]);
  });

  it('sends method, headers and body, and reports status and headers', async () => {
    const base = await serve((req, res, body) => {
      res.writeHead(201, { 'x-echo': req.headers['x-test'] ?? '', 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, body, ua: req.headers['user-agent'] }));
    });
    const response = await createSafeHttpClient({ allowLoopback: true }).request(`${base}/replay`, {
      method: 'post',
      headers: { 'X-Test': 'yes', 'content-type': 'application/json' },
      body: '{"is_replay":true}',
    });
    expect(response.status).toBe(201);
    expect(response.headers['x-echo']).toBe('yes');
    expect(JSON.parse(response.body.toString())).toEqual({ method: 'POST', body: '{"is_replay":true}', ua: expect.stringContaining('Reprise') });
    expect(response.elapsedMs).toBeGreaterThan(0);
  });

  it('aborts a response over the size cap', async () => {
    const base = await serve((_req, res) => res.end(Buffer.alloc(64 * 1024, 1)));
    const error = await refusal(createSafeHttpClient({ allowLoopback: true, maxResponseBytes: 16 * 1024 }).request(base));
    expect(error.code).toBe('response_too_large');
  });

  it('times out a server that never answers', async () => {
    const base = await serve(() => {
      // never answers
    });
    const error = await refusal(createSafeHttpClient({ allowLoopback: true, timeoutMs: 300 }).request(base));
    expect(error.code).toBe('timeout');
  });

  it('reports a refused connection as a network error', async () => {
    const base = await serve((_req, res) => res.end());
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const error = await refusal(createSafeHttpClient({ allowLoopback: true }).request(base));
    expect(error.code).toBe('network_error');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
