import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDb } from '../../../functions/adapters/aws/dynamodb-client.ts';
import { tables } from '../../../lib/catalogue.ts';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { result, tenantApi } from './support.ts';

let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway.stop());

/** A JSON text with `inner` nested `levels` arrays deep. */
const nested = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
const detail = (recorded: string) => `[{"action_id":"a-1","field":"output","recorded":${recorded}}]`;
/** A raw JSON body (what an SDK may send that JSON.stringify could not). */
const raw = (fields: string) =>
  `{"status":"partial","actions_replayed":1,"actions_total":2,"divergences":1,"cost_savings":0.5${fields ? `,${fields}` : ''}}`;

describe('POST /api/v1/replay/{run_id}/results: JSON values that reached a 500', () => {
  it.each<[string, string, (string | number)[], string]>([
    ['a lone surrogate in deployment', '"deployment":"prod\\ud800"', ['body', 'deployment'], 'string_unicode'],
    ['a lone surrogate in sdk_version', '"sdk_version":"\\udfff"', ['body', 'sdk_version'], 'string_unicode'],
    ['a lone surrogate in action_id', '"divergence_details":[{"action_id":"\\ud800","field":"input"}]', ['body', 'divergence_details', 0, 'action_id'], 'string_unicode'],
    ['a lone surrogate in a recorded value', `"divergence_details":${detail('{"text":"\\ud800"}')}`, ['body', 'divergence_details', 0, 'recorded', 'text'], 'string_unicode'],
    ['a lone surrogate in a recorded key', `"divergence_details":${detail('{"\\ud800":1}')}`, ['body', 'divergence_details', 0, 'recorded', '\ud800'], 'string_unicode'],
    ['a recorded value nested 30 levels deep', `"divergence_details":${detail(nested(30))}`, ['body', 'divergence_details', 0, 'recorded', ...Array(29).fill(0)], 'json_depth'],
    ['1e200', `"divergence_details":${detail('1e200')}`, ['body', 'divergence_details', 0, 'recorded'], 'number_range'],
    ['1e-200', `"divergence_details":${detail('[1e-200]')}`, ['body', 'divergence_details', 0, 'recorded', 0], 'number_range'],
    ['9007199254740993', `"divergence_details":${detail('9007199254740993')}`, ['body', 'divergence_details', 0, 'recorded'], 'number_precision'],
    ['an empty key', `"divergence_details":${detail('{"":1}')}`, ['body', 'divergence_details', 0, 'recorded', ''], 'key_empty'],
  ])('answers 422 naming the field for %s, and writes nothing', async (_case, fields, loc, type) => {
    const { api } = await tenantApi(gateway, 'jsonrules');
    const response = await api.request('POST', '/api/v1/replay/run-j/results', { raw: raw(fields), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual([expect.objectContaining({ loc, type })]);
    expect((await api.get('/api/v1/replay/stats')).body.submissions).toBe(0);
  });

  it('stores any value within the rules and reads it back exactly', async () => {
    const { api } = await tenantApi(gateway, 'jsonkeep');
    const recorded = {
      deep: JSON.parse(nested(27, '"bottom"')),
      numbers: [9007199254740991, 9.99999999999999e125, 1e-130, -0, 0.1, 1.5e-7],
      keys: { 'é': 1, '😀': 2, ' ': 3, 'a.b': 4, '#': 5, constructor: 'not a prototype' },
      text: 'tab\tnull\u0000😀',
      nothing: null,
      empty: { list: [], map: {}, text: '' },
    };
    const details = [{ action_id: 'a-1', field: 'output', recorded, replayed: 'plain' }];
    const body = result({ divergence_details: details });

    const posted = await api.post('/api/v1/replay/run-keep/results', body);
    const history = await api.get('/api/v1/replay/history/run-keep');

    expect(posted.status).toBe(201);
    expect(history.status).toBe(200);
    expect(history.body.items[0].divergence_details).toEqual(JSON.parse(JSON.stringify(details)));
    expect(posted.body.divergence_details).toEqual(history.body.items[0].divergence_details);
  });

  it('reads back divergence_details of items written before they were stored as JSON text', async () => {
    const { tenant, api } = await tenantApi(gateway, 'legacy');
    const posted = await api.post('/api/v1/replay/run-old/results', result());
    const legacy = [{ action_id: 'a-1', field: 'input', recorded: { n: 1, list: ['x', true, null] }, replayed: 2 }];
    await dynamoDb.send(
      new UpdateCommand({
        TableName: process.env[tables.ledger.envName]!,
        Key: { pk: `ORG#${tenant.orgId}#RUN#run-old`, sk: `SUB#${posted.body.id}` },
        UpdateExpression: 'SET divergence_details = :details',
        ExpressionAttributeValues: { ':details': legacy },
      }),
    );

    const history = await api.get('/api/v1/replay/history/run-old');

    expect(history.body.items[0].divergence_details).toEqual(legacy);
  });
});

describe('POST /api/v1/replay/{run_id}/results: unknown fields', () => {
  it('does not store a misspelled field and says so (Warning header and warnings)', async () => {
    const { api } = await tenantApi(gateway, 'typo');
    const response = await api.post('/api/v1/replay/run-t/results', result({ deploymnet: 'prod-eu' }));

    expect(response.status).toBe(201);
    expect(response.headers.get('warning')).toBe('299 - "unknown field: deploymnet"');
    expect(response.body.warnings).toEqual(['unknown field: deploymnet']);
    const stored = (await api.get('/api/v1/replay/history/run-t')).body.items[0];
    expect(stored).not.toHaveProperty('deploymnet');
    expect(stored).not.toHaveProperty('warnings');
    expect(stored).not.toHaveProperty('deployment');
  });

  it('names unknown fields inside divergence_details too', async () => {
    const { api } = await tenantApi(gateway, 'typo2');
    const response = await api.post('/api/v1/replay/run-t/results', result({ divergence_details: [{ action_id: 'a', field: 'input', recordd: 1 }] }));
    expect(response.body.warnings).toEqual(['unknown field: divergence_details[0].recordd']);
  });

  it.each([
    ['the Reprise-Strict header', '/api/v1/replay/run-s/results', { 'Reprise-Strict': 'true' }],
    ['?strict=true', '/api/v1/replay/run-s/results?strict=true', {}],
  ])('refuses it with a 422 extra_forbidden with %s, and writes nothing', async (_case, path, headers) => {
    const { api } = await tenantApi(gateway, 'strict');
    const response = await api.post(path, result({ deploymnet: 'prod-eu' }), headers);

    expect(response.status).toBe(422);
    expect(response.body.detail).toEqual([{ loc: ['body', 'deploymnet'], msg: expect.any(String), type: 'extra_forbidden', input: 'prod-eu' }]);
    expect((await api.get('/api/v1/replay/stats')).body.submissions).toBe(0);
  });
});
