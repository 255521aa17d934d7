import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';

/**
 * Whether a TCP connection to `host:port` opens. On Linux all of 127.0.0.0/8
 * is this machine, so 127.0.0.2 reaches a server bound to every interface
 * (0.0.0.0) but not one bound to 127.0.0.1 only: a bind check that needs no
 * network interface.
 */
function reachable(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
const portOf = (endpoint: string | undefined) => Number(new URL(endpoint!).port);

describe.runIf(process.platform === 'linux')('the local emulators on the network', () => {
  it('SQS and S3 (fauxqs) listen on 127.0.0.1 only', async () => {
    for (const endpoint of [process.env.AWS_ENDPOINT_URL_SQS, process.env.AWS_ENDPOINT_URL_S3]) {
      expect(await reachable('127.0.0.1', portOf(endpoint)), endpoint).toBe('connected');
      expect(await reachable('127.0.0.2', portOf(endpoint)), endpoint).toBe('ECONNREFUSED');
    }
  });

  it('DynamoDB Local listens on every interface, as the README says: it has no option to choose one', async () => {
    const port = portOf(process.env.AWS_ENDPOINT_URL_DYNAMODB);

    expect(await reachable('127.0.0.1', port)).toBe('connected');
    expect(await reachable('127.0.0.2', port)).toBe('connected');
  });
});
