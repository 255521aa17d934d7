import { describe, expect, it } from 'vitest';
import { mapOtlpExport } from '../../../../functions/core/reproducibility/otlp.ts';
import { absorbEvents, searchWords, type SessionRecord } from '../../../../functions/core/reproducibility/session.ts';

const empty = (source: SessionRecord['source'] = 'api'): SessionRecord => ({
  id: 's', project_id: 'p', agent_id: 'a', source, started_at: '', created_at: '', updated_at: '', event_count: 0, bytes: 0, metadata: null,
  model: null, user_input: null, context: null, recorded: {}, words: [], fingerprint: null, version: 1,
});

describe('absorbEvents', () => {
  it('takes the first LLM request over any user input, whichever chunk brought it', () => {
    const first = absorbEvents(empty(), [{ type: 'user_input', input: 'Hi there' }], { id: 'c1', time: '2026-01-01T00:00:00.000Z', bytes: 10 });
    const second = absorbEvents(first, [{ type: 'llm_request', model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { type: 'llm_request', model: 'other', messages: [{ role: 'user', content: 'y' }] }], { id: 'c2', time: '2026-01-01T00:00:01.000Z', bytes: 20 });

    expect(first.context).toMatchObject({ kind: 'user', chunk: 'c1', index: 0 });
    expect(second.context).toMatchObject({ kind: 'llm', chunk: 'c2', index: 0 });
    expect(second).toMatchObject({ model: 'gpt-4o', user_input: 'Hi there', event_count: 3, bytes: 30 });
    expect(second.words).toEqual(expect.arrayContaining(['hi', 'there', 'gpt-4o', 'gpt', '4o']));
  });

  it('orders OTLP events by their time: an earlier LLM request that arrives later wins', () => {
    const late = absorbEvents(empty('otlp'), [{ type: 'llm_request', model: 'b', messages: [{ role: 'user' }], timestamp: '2026-01-01T00:00:05Z' }], { id: 'c1', time: '2026-01-01T00:01:00.000Z', bytes: 1 });
    const early = absorbEvents(late, [{ type: 'llm_request', model: 'a', messages: [{ role: 'user' }], timestamp: '2026-01-01T00:00:01Z' }], { id: 'c2', time: '2026-01-01T00:02:00.000Z', bytes: 1 });

    expect(early.context).toMatchObject({ kind: 'llm', chunk: 'c2' });
  });

  it('keeps at most 32 search words', () => {
    expect(searchWords([Array.from({ length: 50 }, (_, i) => `word${i}`).join(' ')])).toHaveLength(32);
  });
});

describe('mapOtlpExport', () => {
  const span = (attributes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    startTimeUnixNano: '1764493200000000000',
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: typeof value === 'number' ? { doubleValue: value } : { stringValue: value } })),
    ...extra,
  });
  const exportOf = (...spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans }] }] });

  it('maps gen_ai.conversation.id to the session, and a span of the same trace follows it', () => {
    const mapped = mapOtlpExport(exportOf(span({ 'gen_ai.conversation.id': 'c-1', 'input.value': 'hello' }), span({ 'gen_ai.request.model': 'm', 'gen_ai.input.messages': '[{"role":"user","content":"hi"}]' }, { spanId: 'aaaaaaaaaaaaaaaa' })));

    expect(mapped.sessions).toHaveLength(1);
    expect(mapped.sessions[0]).toMatchObject({ session_id: 'c-1', agent_id: 'svc' });
    expect(mapped.sessions[0]!.events.map((e) => e.type)).toEqual(['user_input', 'llm_request']);
  });

  it('orders spans of one millisecond by their nanoseconds, whatever the order of the export', () => {
    const later = span({ 'gen_ai.request.model': 'm', 'gen_ai.input.messages': '[{"role":"user","content":"hi"}]' }, { spanId: 'bbbbbbbbbbbbbbbb', startTimeUnixNano: '1764493200000000900' });
    const earlier = span({ 'input.value': 'hello' }, { spanId: 'cccccccccccccccc', startTimeUnixNano: '1764493200000000100' });

    expect(mapOtlpExport(exportOf(later, earlier)).sessions[0]!.events.map((e) => e.type)).toEqual(['user_input', 'llm_request']);
  });

  it('puts a parent span before its child when both start in the same millisecond (SDKs stamp to the ms, and export the child first)', () => {
    const child = span(
      { 'gen_ai.request.model': 'm', 'gen_ai.input.messages': '[{"role":"user","content":"hi"}]' },
      { spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'cccccccccccccccc', startTimeUnixNano: '1764493200000000000' },
    );
    const parent = span({ 'input.value': 'hello' }, { spanId: 'cccccccccccccccc', startTimeUnixNano: '1764493200000000000' });

    expect(mapOtlpExport(exportOf(child, parent)).sessions[0]!.events.map((e) => e.type)).toEqual(['user_input', 'llm_request']);
  });

  it.each([
    ['a number past 1e21 nanoseconds', 1e21],
    ['a number past any date', 1e30],
    ['twenty digits', '99999999999999999999'],
    ['zero', 0],
    ['a number as sent by some encoders', 1764493200000000000],
  ])('takes a start of %s without failing, as a real time', (_name, start) => {
    const mapped = mapOtlpExport(exportOf(span({ 'input.value': 'x' }, { startTimeUnixNano: start })));

    expect(new Date(mapped.sessions[0]!.started_at).toISOString()).toBe(mapped.sessions[0]!.started_at);
  });

  it('keeps spans without GenAI content out, and reads base64 ids', () => {
    const mapped = mapOtlpExport(exportOf(span({ 'http.method': 'GET' }), span({ 'input.value': 'x' }, { traceId: 'W47/95gDgQPSabYzgT/GDA==', spanId: '7uGbfsPBsXQ=' })));

    expect(mapped.sessions.map((s) => s.session_id)).toEqual(['5b8efff798038103d269b633813fc60c']);
    expect(mapped.spans).toBe(2);
  });
});
