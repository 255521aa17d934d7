import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { expectError, tenantApi, type Api } from './support.ts';

/*
 * A real tracer: spans made with the OpenTelemetry SDK for Node, sent by the
 * OTLP/HTTP exporter (JSON) to POST /v1/traces of the local gateway.
 */
let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway?.stop());

const messages = (role: string, text: string) => JSON.stringify([{ role, parts: [{ type: 'text', content: text }] }]);

/** Records an agent turn the way GenAI instrumentations do: an invoke_agent span and a chat span inside it. */
function recordTurn(provider: NodeTracerProvider, attributes: { session?: string; agent?: string }) {
  const tracer = provider.getTracer('travel-agent', '1.0.0');
  const root = tracer.startSpan('invoke_agent travel', {
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      ...(attributes.agent ? { 'gen_ai.agent.name': attributes.agent } : {}),
      ...(attributes.session ? { 'session.id': attributes.session } : {}),
      'gen_ai.input.messages': messages('user', 'Find me a flight to Lisbon'),
      'gen_ai.output.messages': messages('assistant', 'TP 1234 leaves at 9:05'),
    },
  });
  const chat = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You book flights.' }]),
        'gen_ai.input.messages': messages('user', 'Find me a flight to Lisbon'),
        'gen_ai.output.messages': messages('assistant', 'TP 1234 leaves at 9:05'),
        ...(attributes.session ? { 'session.id': attributes.session } : {}),
      },
    },
    trace.setSpan(context.active(), root),
  );
  chat.end();
  root.end();
  return root.spanContext().traceId;
}

function exporterFor(apiKey: string) {
  return new OTLPTraceExporter({ url: `${gateway.url}/v1/traces`, headers: { Authorization: `Bearer ${apiKey}` } });
}

function exportSpans(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, (result) => resolve(result as { code: number; error?: Error })));
}

async function traced(turn: { session?: string; agent?: string }) {
  const memory = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'travel-service' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const traceId = recordTurn(provider, turn);
  await provider.forceFlush();
  return { traceId, spans: memory.getFinishedSpans() };
}

const session = async (api: Api, id: string) => (await api.get(`/api/v1/sessions/${id}`)).body;

describe('OTLP/HTTP JSON from the OpenTelemetry SDK', () => {
  it('turns GenAI spans into a session of the agent, replayable with the LLM payload, and counts a re-sent export once', async () => {
    const { api, tenant } = await tenantApi(gateway, 'otlp');
    const { spans } = await traced({ session: 'conv-7', agent: 'Travel Agent' });
    const exporter = exporterFor(tenant.apiKey);

    const first = await exportSpans(exporter, spans);
    const again = await exportSpans(exporter, spans);
    await exporter.shutdown();
    const shown = await session(api, 'conv-7');

    expect(first.code, String(first.error)).toBe(0);
    expect(again.code).toBe(0);
    expect(shown).toMatchObject({ id: 'conv-7', agent_id: 'Travel Agent', source: 'otlp', model: 'gpt-4o-mini', user_input: 'Find me a flight to Lisbon', replayable: true, event_count: 4 });
    expect(shown.events.map((e: { type: string }) => e.type)).toEqual(['user_input', 'agent_output', 'llm_request', 'llm_response']);
    expect(shown.replay_payload).toEqual({
      messages: [
        { role: 'system', content: 'You book flights.' },
        { role: 'user', content: 'Find me a flight to Lisbon' },
      ],
      model: 'gpt-4o-mini',
      is_replay: true,
    });
    expect(shown.events[2].params).toEqual({ temperature: 0.2 });
    expect(shown.events[3].output).toBe('TP 1234 leaves at 9:05');
    expect((await api.get('/api/v1/agents/Travel%20Agent')).body.session_count).toBe(1);
  });

  it('groups by trace id without session.id, and names the agent after service.name without gen_ai.agent.*', async () => {
    const { api, tenant } = await tenantApi(gateway, 'otlp-trace');
    const { spans, traceId } = await traced({});
    const exporter = exporterFor(tenant.apiKey);

    expect((await exportSpans(exporter, spans)).code).toBe(0);
    await exporter.shutdown();

    expect(await session(api, traceId)).toMatchObject({ id: traceId, agent_id: 'travel-service', replayable: true, event_count: 4 });
  });

  it('answers 401 to an exporter without a key and 415, with what to do, to protobuf', async () => {
    const { tenant } = await tenantApi(gateway, 'otlp-refused');
    const { spans } = await traced({ session: 'never' });
    const keyless = new OTLPTraceExporter({ url: `${gateway.url}/v1/traces` });

    const refused = await exportSpans(keyless, spans);
    await keyless.shutdown();
    const protobuf = await fetch(`${gateway.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/x-protobuf' }, body: new Uint8Array([10, 0]) });
    const body = (await protobuf.json()) as { detail: string; error_code: string };

    expect(refused.code).toBe(1);
    expect(protobuf.status).toBe(415);
    expect(body.error_code).toBe('unsupported_media_type');
    expect(body.detail).toMatch(/http\/json/);
    expectError({ status: 404, body: (await fetch(`${gateway.url}/api/v1/sessions/never`, { headers: { authorization: `Bearer ${tenant.apiKey}` } }).then((r) => r.json())), headers: new Headers() }, 404, 'session_not_found');
  });
});
