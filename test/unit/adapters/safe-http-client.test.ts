import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAddressPolicy, isPublicAddress } from '../../../functions/adapters/http/address-policy.ts';
import { createSafeHttpClient, OutboundRequestError, type SafeHttpClientOptions } from '../../../functions/adapters/http/safe-http-client.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  base: string;
  seen: Seen[];
}

const servers: Server[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

/** A real HTTP server on `host` that records every request it gets, then lets `handle` answer. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void, host = '127.0.0.1'): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      handle(req, res, entry);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { base: `http://${host}:${(server.address() as AddressInfo).port}`, seen };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (error: unknown) => error,
  );
}

async function refusal(promise: Promise<unknown>): Promise<OutboundRequestError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(OutboundRequestError);
  return error as OutboundRequestError;
}

const loopbackClient = (options: SafeHttpClientOptions = {}) => createSafeHttpClient({ allowLoopback: true, timeoutMs: 2_000, ...options });

describe('address policy', () => {
  it.each(['8.8.8.8', '1.1.1.1', '11.0.0.1', '100.63.255.255', '100.128.0.1', '169.253.255.255', '172.15.255.255', '172.32.0.1', '192.0.3.1', '223.255.255.255', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e'])(
    'treats %s as public',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it.each([
    '127.0.0.1',
    '0.0.0.0',
    '10.255.255.255',
    '100.64.0.0',
    '169.254.169.254',
    '172.16.0.0',
    '172.31.255.255',
    '192.168.0.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '::7f00:1',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    '2001:db8::1',
    'fd00:ec2::254',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    'localhost',
  ])('treats %s as not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it('opens loopback to exactly 127.0.0.1 and ::1, and allowAddresses to exactly the addresses listed', () => {
    const policy = createAddressPolicy({ allowLoopback: true, allowAddresses: ['10.1.2.3'] });

    expect(['127.0.0.1', '::1', '0:0:0:0:0:0:0:1', '10.1.2.3', '8.8.8.8'].map((a) => policy.permits(a))).toEqual([true, true, true, true, true]);
    expect(['127.0.0.2', '::ffff:127.0.0.1', '10.1.2.4', '169.254.169.254', 'fe80::1'].map((a) => policy.permits(a))).toEqual([false, false, false, false, false]);
    expect(createAddressPolicy().permits('127.0.0.1')).toBe(false);
    expect(() => createAddressPolicy({ allowAddresses: ['localhost'] })).toThrow(/Not an IP address/);
  });
});

describe('the safe outbound client', () => {
  const client = createSafeHttpClient({ timeoutMs: 2_000, connectTimeoutMs: 500 });

  it.each([
    'http://127.0.0.1/',
    'http://127.5.6.7/',
    'http://[::1]/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://017700000001/',
    'http://0.0.0.0/',
    'http://[::]/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://172.31.255.254/',
    'http://192.168.1.1/',
    'http://[fc00::1]/',
    'http://[fd00:ec2::254]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.0.1/',
    'http://[fe80::1]/',
    'http://100.64.0.1/',
    'http://100.127.255.254/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::7f00:1]/',
    'http://[::a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:7f00:1::1]/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://192.0.2.1/',
    'http://localhost/',
    'https://10.1.2.3/',
    'https://localhost/',
  ])('refuses %s', async (url) => {
    const error = await refusal(client.request(url, { headers: { authorization: 'Bearer s3cr3t' } }));

    expect(error.code).toBe('blocked_address');
    expect(error.message).not.toContain('s3cr3t');
  });

  it('refuses a host name that resolves to loopback even with a server listening there', async () => {
    const target = await serve((_req, res) => res.end('secret'));
    const port = new URL(target.base).port;

    const error = await refusal(client.request(`http://localhost:${port}/`));

    expect(error.code).toBe('blocked_address');
    expect(target.seen).toHaveLength(0);
  });

  it.each([
    ['ftp://example.com/', 'must use http or https'],
    ['file:///etc/passwd', 'must use http or https'],
    ['not a url', 'not a valid absolute URL'],
    ['http://user:secret@example.com/', 'must not carry credentials'],
    ['http://:secret@example.com/', 'must not carry credentials'],
  ])('refuses %s as an invalid URL', async (url, reason) => {
    const error = await refusal(client.request(url));

    expect(error.code).toBe('invalid_url');
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain('secret');
  });

  it('reaches loopback only when allowed, and still refuses private, metadata, mapped and other loopback addresses then', async () => {
    const target = await serve((_req, res) => res.end('pong'));
    const elsewhere = await serve((_req, res) => res.end('other'), '127.0.0.2');
    const local = loopbackClient();

    const response = await local.request(`${target.base}/ping`);
    const byName = await local.request(`http://localhost:${new URL(target.base).port}/ping`);

    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('pong');
    expect(byName.body.toString()).toBe('pong');
    for (const url of ['http://10.0.0.1/', 'http://169.254.169.254/', 'http://[::ffff:7f00:1]/', 'http://[fe80::1]/', `${elsewhere.base}/`]) {
      expect((await refusal(local.request(url))).code, url).toBe('blocked_address');
    }
    expect(elsewhere.seen).toHaveLength(0);
  });

  it('takes the loopback opt-in for the default client from REPRISE_ALLOW_LOOPBACK_TARGETS=true only', async () => {
    const target = await serve((_req, res) => res.end('pong'));
    const fresh = async (value: string | undefined) => {
      vi.stubEnv('REPRISE_ALLOW_LOOPBACK_TARGETS', value);
      vi.resetModules();
      const module = await import('../../../functions/adapters/http/safe-http-client.ts');
      return module.safeHttpClientFromEnv();
    };

    // A fresh module instance has its own OutboundRequestError class, so these assert on name and code.
    const code = async (promise: Promise<unknown>) => {
      const error = (await rejection(promise)) as Error & { code?: string };
      expect(error.name).toBe('OutboundRequestError');
      return error.code;
    };

    const optedIn = await fresh('true');
    expect((await optedIn.request(target.base)).body.toString()).toBe('pong');
    expect(await code(optedIn.request('http://10.0.0.1/'))).toBe('blocked_address');
    expect(await code(optedIn.request('http://169.254.169.254/'))).toBe('blocked_address');
    for (const value of [undefined, 'false', '1', 'TRUE']) {
      expect(await code((await fresh(value)).request(target.base)), String(value)).toBe('blocked_address');
    }
    expect(target.seen).toHaveLength(1);
  });

  it.each(['127.0.0.1', 'localhost'])('refuses a redirect from an allowed host to %s', async (host) => {
    const forbidden = await serve((_req, res) => res.end('secret'));
    const redirector = await serve((_req, res) => {
      res.writeHead(302, { location: `http://${host}:${new URL(forbidden.base).port}/admin` }).end();
    }, '127.0.0.2');
    const onlyRedirector = createSafeHttpClient({ allowAddresses: ['127.0.0.2'], timeoutMs: 2_000 });

    const error = await refusal(onlyRedirector.request(`${redirector.base}/start`));

    expect(error.code).toBe('blocked_address');
    expect(redirector.seen).toHaveLength(1);
    expect(forbidden.seen).toHaveLength(0);
  });

  it('refuses a redirect to a URL with credentials', async () => {
    const redirector = await serve((_req, res) => res.writeHead(302, { location: 'http://user:secret@127.0.0.1/' }).end());

    const error = await refusal(loopbackClient().request(redirector.base));

    expect(error.code).toBe('invalid_url');
    expect(error.message).not.toContain('secret');
  });

  it('follows redirects up to the limit, then stops', async () => {
    const chain = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      if (n < 4) res.writeHead(302, { location: `/${n + 1}` }).end();
      else res.end(`arrived at ${n}`);
    });

    const followed = await loopbackClient({ maxRedirects: 4 }).request(`${chain.base}/0`);

    expect(followed.body.toString()).toBe('arrived at 4');
    expect(followed.redirects).toBe(4);
    expect(followed.url).toBe(`${chain.base}/4`);
    expect(followed.elapsedMs).toBeGreaterThan(0);

    chain.seen.length = 0;
    const error = await refusal(loopbackClient({ maxRedirects: 3 }).request(`${chain.base}/0`));

    expect(error.code).toBe('too_many_redirects');
    expect(chain.seen.map((s) => s.url)).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('keeps credentials on a same-origin redirect and drops them (and Host) across origins', async () => {
    const other = await serve((_req, res) => res.end('ok'), '127.0.0.2');
    const origin = await serve((req, res) => {
      if (req.url === '/first') res.writeHead(307, { location: '/second' }).end();
      else res.writeHead(307, { location: `${other.base}/third` }).end();
    });
    const credentials = { Authorization: 'Bearer t0k3n', Cookie: 'session=abc', 'Proxy-Authorization': 'Basic eDp5', 'X-Trace': 'kept' };

    const response = await loopbackClient({ allowAddresses: ['127.0.0.2'] }).request(`${origin.base}/first`, { headers: { ...credentials, Host: 'example.test' } });

    expect(response.url).toBe(`${other.base}/third`);
    for (const hop of origin.seen) {
      expect(hop.headers).toMatchObject({ authorization: 'Bearer t0k3n', cookie: 'session=abc', 'proxy-authorization': 'Basic eDp5', 'x-trace': 'kept', host: 'example.test' });
    }
    expect(origin.seen.map((s) => s.url)).toEqual(['/first', '/second']);
    const crossed = other.seen[0]?.headers;
    expect(crossed?.['x-trace']).toBe('kept');
    expect(crossed?.host).toBe(new URL(other.base).host);
    expect(crossed).not.toHaveProperty('authorization');
    expect(crossed).not.toHaveProperty('cookie');
    expect(crossed).not.toHaveProperty('proxy-authorization');
  });

  it.each([
    [303, 'GET', ''],
    [302, 'GET', ''],
    [301, 'GET', ''],
    [307, 'POST', '{"a":1}'],
    [308, 'POST', '{"a":1}'],
  ])('after a %i to a POST, sends %s with body %j', async (status, method, body) => {
    const target = await serve((req, res) => {
      if (req.url === '/submit') res.writeHead(status, { location: '/done' }).end();
      else res.end('done');
    });

    await loopbackClient().request(`${target.base}/submit`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });

    expect(target.seen.map((s) => ({ method: s.method, body: s.body, type: s.headers['content-type'] }))).toEqual([
      { method: 'POST', body: '{"a":1}', type: 'application/json' },
      { method, body, type: method === 'POST' ? 'application/json' : undefined },
    ]);
  });

  it('sends method, headers and body, and reports status and headers', async () => {
    const target = await serve((req, res) => {
      res.writeHead(201, { 'x-echo': req.headers['x-test'] ?? '', 'set-cookie': ['a=1', 'b=2'] });
      res.end('created');
    });

    const response = await loopbackClient().request(`${target.base}/replay?x=1`, {
      method: 'post',
      headers: { 'X-Test': 'yes', 'content-type': 'application/json' },
      body: new TextEncoder().encode('{"is_replay":true}'),
    });

    expect(response.status).toBe(201);
    expect(response.headers['x-echo']).toBe('yes');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(response.body.toString()).toBe('created');
    expect(response.redirects).toBe(0);
    expect(target.seen).toEqual([
      {
        method: 'POST',
        url: '/replay?x=1',
        body: '{"is_replay":true}',
        headers: expect.objectContaining({ 'x-test': 'yes', 'content-type': 'application/json', 'content-length': '18', 'user-agent': expect.stringContaining('Reprise') }),
      },
    ]);
    expect(target.seen[0]?.headers).not.toHaveProperty('authorization');
  });

  it('uses the configured user agent unless the request brings its own', async () => {
    const target = await serve((_req, res) => res.end());
    const custom = loopbackClient({ userAgent: 'probe/2' });

    await custom.request(target.base);
    await custom.request(target.base, { headers: { 'User-Agent': 'recorded/1' } });

    expect(target.seen.map((s) => s.headers['user-agent'])).toEqual(['probe/2', 'recorded/1']);
  });

  it('refuses a response whose declared length is over the cap before reading its body', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(64 * 1024) });
      res.write('x');
    });

    // The body stalls after one byte, so only the declared length can settle this before the timeout.
    const error = await refusal(loopbackClient({ maxResponseBytes: 16 * 1024, timeoutMs: 5_000 }).request(target.base));

    expect(error.code).toBe('response_too_large');
  });

  it('aborts a response that streams past the cap without declaring a length', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024, 1);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });

    // The server never ends the body, so only aborting at the cap can settle this before the timeout.
    const error = await refusal(loopbackClient({ maxResponseBytes: 64 * 1024, timeoutMs: 5_000 }).request(target.base));

    expect(error.code).toBe('response_too_large');
  });

  it('accepts a response of exactly the cap', async () => {
    const target = await serve((_req, res) => res.end(Buffer.alloc(1024, 7)));

    const response = await loopbackClient({ maxResponseBytes: 1024 }).request(target.base);

    expect(response.body.length).toBe(1024);
  });

  it('times out a server that never answers, without echoing header values', async () => {
    const target = await serve(() => {
      // never answers
    });

    const error = await refusal(loopbackClient({ timeoutMs: 300 }).request(target.base, { headers: { authorization: 'Bearer s3cr3t' } }));

    expect(error.code).toBe('timeout');
    expect(error.message).not.toContain('s3cr3t');
    expect(target.seen).toHaveLength(1);
  });

  it('holds the whole request, every redirect included, to one deadline: slow hops cannot each take the timeout', async () => {
    // Prepare: each hop answers a redirect after 150 ms; six hops would take 900 ms, each well within 400 ms.
    const chain = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      setTimeout(() => (n < 5 ? res.writeHead(302, { location: `/${n + 1}` }).end() : res.end('arrived')), 150);
    });

    // Act
    const error = await refusal(loopbackClient({ timeoutMs: 400, maxRedirects: 10 }).request(`${chain.base}/0`));

    // Assess: stopped during the third hop at the latest, long before the chain's end.
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/within 400 ms \(\d redirects? included\)$/);
    expect(chain.seen.length).toBeLessThanOrEqual(3);
  });

  it('counts the body against the timeout', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });

    const error = await refusal(loopbackClient({ timeoutMs: 300 }).request(target.base));

    expect(error.code).toBe('timeout');
  });

  it('stops when the caller aborts, with the abort reason', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const target = await serve(() => arrived());
    const controller = new AbortController();

    const pending = rejection(loopbackClient({ timeoutMs: 5_000 }).request(target.base, { signal: controller.signal }));
    await requestArrived;
    controller.abort(new Error('caller gave up'));

    expect(await pending).toEqual(new Error('caller gave up'));
  });

  it('does not send anything for an already aborted signal', async () => {
    const target = await serve((_req, res) => res.end());

    const error = await rejection(loopbackClient().request(target.base, { signal: AbortSignal.abort() }));

    expect((error as Error).name).toBe('AbortError');
    expect(target.seen).toHaveLength(0);
  });

  it('reports a refused connection as a network error', async () => {
    const target = await serve((_req, res) => res.end());
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));

    const error = await refusal(loopbackClient().request(target.base));

    expect(error.code).toBe('network_error');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('refuses a header value with a line break without echoing it', async () => {
    const target = await serve((_req, res) => res.end());

    const error = await refusal(loopbackClient().request(target.base, { headers: { 'x-bad': 's3cr3t\r\nInjected: 1' } }));

    expect(error.code).toBe('network_error');
    expect(error.message).not.toContain('s3cr3t');
    expect(target.seen).toHaveLength(0);
  });
});
