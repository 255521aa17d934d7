import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionEnvironment } from '../../../lib/local/function-environment.ts';
import { createIsolatedHost, type FunctionHost } from '../../../lib/local/function-host.ts';
import { freePort } from '../../../lib/local/free-port.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';

// The platform's variables, as the integration setup hands them to this worker.
const platformEnv = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
const WELL_FORMED_KEY = `rpr_${'A'.repeat(43)}`;

/** The real handlers behind the local gateway, each in its own worker, with these endpoints. */
async function platformWith(overrides: Record<string, string>): Promise<{ gateway: HttpGateway; host: FunctionHost }> {
  const common = { ...platformEnv, ...overrides, POWERTOOLS_LOG_LEVEL: 'SILENT' };
  const host = createIsolatedHost((spec) => functionEnvironment(spec, common, platformEnv));
  return { host, gateway: await startHttpGateway({ port: 0, functions: host }) };
}

let up: Awaited<ReturnType<typeof platformWith>>;
let dynamoDbDown: Awaited<ReturnType<typeof platformWith>>;
beforeAll(async () => {
  up = await platformWith({});
  // Nothing listens there: DynamoDB Local killed, as far as the handlers can tell.
  dynamoDbDown = await platformWith({ AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${await freePort()}` });
});
afterAll(async () => {
  for (const platform of [up, dynamoDbDown]) {
    await platform?.gateway.stop();
    await platform?.host.stop();
  }
});

describe('with DynamoDB down', () => {
  it('an /api/v1 route answers 503 in its own shape, with Retry-After and the correlation id, even for a key the authorizer never saw', async () => {
    const response = await fetch(`${dynamoDbDown.gateway.url}/api/v1/replay/stats`, { headers: { authorization: `Bearer ${WELL_FORMED_KEY}` } });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      detail: 'A service this API depends on is unavailable right now; retry shortly.',
      error_code: 'service_unavailable',
      correlation_id: response.headers.get('x-correlation-id'),
      timestamp: expect.any(String),
    });
  });

  it('a /v2 route answers 503 in its own shape', async () => {
    const response = await fetch(`${dynamoDbDown.gateway.url}/v2/replay-runs`, { headers: { authorization: `Bearer ${WELL_FORMED_KEY}` } });

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({ error: { type: 'api_error', message: 'A service this API depends on is unavailable right now; retry shortly.' } });
  });

  it('/health answers 503 and says which dependency is down, and why', async () => {
    const response = await fetch(`${dynamoDbDown.gateway.url}/health`);

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      status: 'unavailable',
      version: expect.any(String),
      dependencies: { dynamodb: { status: 'down', reason: 'connection refused' }, sqs: { status: 'ok' }, s3: { status: 'ok' } },
    });
  });
});

describe('with every dependency up', () => {
  it('/health answers 200 and reports each one ok', async () => {
    const response = await fetch(`${up.gateway.url}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: expect.any(String),
      dependencies: { dynamodb: { status: 'ok' }, sqs: { status: 'ok' }, s3: { status: 'ok' } },
    });
  });
});
