/**
 * A local HTTP server in a process of its own (upstream and replay target of
 * the session replay bench): answers every request 200 with a small JSON
 * body, notes when each request under /mark/<tag>/<i> arrived (ms, high
 * resolution), serves them at GET /__arrivals?tag=…, and prints its URL as a
 * JSON line. It stops when its standard input closes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const arrivals = new Map<string, { index: number; at: number }[]>();
const body = JSON.stringify({ ok: true, service: 'bench-target' });

const server = createServer((request, response) => {
  const at = performance.timeOrigin + performance.now();
  const url = request.url ?? '/';
  if (url.startsWith('/__arrivals')) {
    const tag = new URL(url, 'http://x').searchParams.get('tag') ?? '';
    response.setHeader('content-type', 'application/json');
    return response.end(JSON.stringify(arrivals.get(tag) ?? []));
  }
  const mark = /^\/mark\/([^/]+)\/(\d+)/.exec(url);
  if (mark) {
    const list = arrivals.get(mark[1]!) ?? [];
    list.push({ index: Number(mark[2]), at });
    arrivals.set(mark[1]!, list);
  }
  request.resume();
  request.on('end', () => {
    response.setHeader('content-type', 'application/json');
    response.end(body);
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
