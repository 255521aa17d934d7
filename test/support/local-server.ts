import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a local server received. */
export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  at: number;
}

export interface LocalServer {
  url: string;
  received: Received[];
  server: Server;
  stop(): Promise<void>;
}

/** A real HTTP server on a free loopback port; `respond` answers each request (default: 200 echoing the request as JSON). */
export async function startServer(respond?: (request: Received, response: ServerResponse) => void): Promise<LocalServer> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks), at };
      received.push(entry);
      if (respond) return respond(entry, response);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ method: entry.method, url: entry.url, headers: entry.headers, body: entry.body.toString('base64') }));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
