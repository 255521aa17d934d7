import { afterAll, describe, expect, it } from 'vitest';
import { routes, type FunctionSpec } from '../../../lib/catalogue.ts';
import { functionEnvironment } from '../../../lib/local/function-environment.ts';
import { createIsolatedHost } from '../../../lib/local/function-host.ts';

// The platform's variables, as the integration setup hands them to this worker.
const common = {
  AWS_REGION: process.env.AWS_REGION!,
  AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};
const resources = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined));
const host = createIsolatedHost((spec) => functionEnvironment(spec, common, resources));
afterAll(() => host.stop());

const fixture = (entry: string, uses: FunctionSpec['uses']): FunctionSpec => ({ entry: `test/fixtures/${entry}`, timeoutSeconds: 5, memoryMb: 128, uses });

describe('the isolated function host', () => {
  it('gives a function exactly the variables of what it uses, and nothing of the platform process', async () => {
    const reader = fixture('environment-route.ts', [{ table: 'ledger', mode: 'read' }, { secret: 'reportSigningKey' }]);

    const seen = (await host.invoke(reader, {})) as { names: string[] };

    expect(seen.names).toEqual([...Object.keys(common), 'LEDGER_TABLE', 'REPORT_SIGNING_KEY'].sort());
  });

  it('keeps one module instance per function across invocations, and none shared between functions', async () => {
    // Two functions of the same module (as two catalogue entries would be).
    const first = { ...fixture('environment-route.ts', []), entry: './test/fixtures/environment-route.ts' };
    const second = { ...fixture('environment-route.ts', []), entry: 'test/fixtures/../fixtures/environment-route.ts' };

    const counts = [await host.invoke(first, {}), await host.invoke(first, {}), await host.invoke(second, {})].map((r) => (r as { invocations: number }).invocations);

    expect(counts).toEqual([1, 2, 1]);
  });

  it('fails a handler whose entry lacks a grant, as Lambda would: the stats route without its table', async () => {
    const stats = routes.find((route) => route.path === '/api/v1/replay/stats')!;

    await expect(host.invoke({ ...stats, uses: [] }, {})).rejects.toThrow('Environment variable LEDGER_TABLE is not set');
  });
});
