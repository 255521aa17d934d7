import { createServer } from 'node:net';

/** A TCP port nothing listens on right now (for children that cannot bind port 0 themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No port'))));
    });
  });
}

/** Something else already listens on the port the platform was asked to serve on. */
export class PortInUseError extends Error {
  readonly port: number;

  constructor(port: number) {
    super(`port ${port} is in use: is Reprise already running? set PORT`);
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/**
 * Rejects with a `PortInUseError` when `port` cannot be listened on at
 * `host`: checked before anything is started, so a second `npm start`
 * leaves nothing behind.
 */
export function assertPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
