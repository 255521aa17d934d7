import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpGateway, type HttpGateway } from '../../../lib/local/http-gateway.ts';
import { createSession, expectError, expectInvalid, llmSession, tenantApi } from './support.ts';

process.env.REPRISE_ALLOW_LOOPBACK_TARGETS = 'true';
let gateway: HttpGateway;
beforeAll(async () => {
  gateway = await startHttpGateway({ port: 0 });
});
afterAll(() => gateway?.stop());

describe('sessions', () => {
  it('derives the replay context, never guesses it: LLM request first, else user input, else not replayable with a reason', async () => {
    const { api } = await tenantApi(gateway, 'context');
    const llm = await createSession(api, llmSession('bot'));
    const user = await createSession(api, { agent_id: 'bot', events: [{ type: 'user_input', input: 'Hello there' }, { type: 'agent_output', output: { text: 'Hi' } }] });
    const none = await createSession(api, { agent_id: 'bot', events: [{ type: 'agent_output', output: 'Hi' }] });

    const [a, b, c] = await Promise.all([llm, user, none].map(async (s) => (await api.get(`/api/v1/sessions/${s.id}`)).body));

    expect(a).toMatchObject({ replayable: true, not_replayable_reason: null, model: 'gpt-4o-mini', event_count: 4, replay_payload: { model: 'gpt-4o-mini', is_replay: true } });
    expect(a.events.map((e: { type: string }) => e.type)).toEqual(['user_input', 'llm_request', 'llm_response', 'agent_output']);
    expect(b).toMatchObject({ replayable: true, replay_payload: { input: 'Hello there', is_replay: true }, user_input: 'Hello there', model: null });
    expect(c).toMatchObject({ replayable: false, not_replayable_reason: 'no_replay_context', replay_payload: null });
    expect(a.id).toMatch(/^ses_/);
  });

  it('takes the client session_id: the same body again is the same session, another body a 409', async () => {
    const { api } = await tenantApi(gateway, 'idempotent');
    const body = llmSession('bot', { session_id: 'client-42' });

    const first = await api.post('/api/v1/sessions', body);
    const again = await api.post('/api/v1/sessions', body);
    const other = await api.post('/api/v1/sessions', { ...body, events: [{ type: 'user_input', input: 'different' }] });

    expect(first.status).toBe(201);
    expect(first.body.id).toBe('client-42');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expectError(other, 409, 'session_exists');
    expect((await api.get('/api/v1/sessions/client-42')).body.event_count).toBe(4);
  });

  it('appends events, which can make a session replayable; a retried append with the same Idempotency-Key appends once', async () => {
    const { api } = await tenantApi(gateway, 'append');
    const session = await createSession(api, { agent_id: 'bot', session_id: 'grows', events: [] });
    const append = (headers?: Record<string, string>) => api.request('POST', '/api/v1/sessions/grows/events', { body: { events: [{ type: 'user_input', input: 'later' }] }, ...(headers ? { headers } : {}) });

    const appended = await append({ 'idempotency-key': 'append-1' });
    const retried = await append({ 'idempotency-key': 'append-1' });
    const shown = (await api.get('/api/v1/sessions/grows')).body;

    expect(session.replayable).toBe(false);
    expect(appended.body).toMatchObject({ replayable: true, event_count: 1 });
    expect(retried.status).toBe(200);
    expect(shown).toMatchObject({ event_count: 1, replay_payload: { input: 'later', is_replay: true } });
    expectError(await api.post('/api/v1/sessions/missing/events', { events: [{ type: 'user_input', input: 'x' }] }), 404, 'session_not_found');
  });

  it('lists newest first, by agent, replayability, time and words, with cursors', async () => {
    const { api } = await tenantApi(gateway, 'list');
    for (let i = 0; i < 5; i++) {
      await createSession(api, {
        agent_id: i % 2 ? 'support-bot' : 'travel-bot',
        started_at: `2026-11-0${i + 1}T10:00:00Z`,
        events: i === 4 ? [{ type: 'agent_output', output: 'x' }] : [{ type: 'user_input', input: i === 2 ? 'Refund my Order please' : `Question ${i}` }, { type: 'llm_request', model: i === 3 ? 'claude-3-7-sonnet' : 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }],
      });
    }
    const ids = async (query: string) => {
      const response = await api.get(`/api/v1/sessions${query}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.items.map((s: { started_at: string }) => s.started_at.slice(8, 10));
    };

    expect(await ids('')).toEqual(['05', '04', '03', '02', '01']);
    expect(await ids('?agent_id=support-bot')).toEqual(['04', '02']);
    expect(await ids('?replayable=false')).toEqual(['05']);
    expect(await ids('?replayable=true&agent_id=travel-bot')).toEqual(['03', '01']);
    expect(await ids('?from=2026-11-02T00:00:00Z&to=2026-11-04T10:00:00Z')).toEqual(['04', '03', '02']);
    expect(await ids('?q=REFUND')).toEqual(['03']);
    expect(await ids('?q=order%20refund')).toEqual(['03']);
    expect(await ids('?q=claude')).toEqual(['04']);
    expect(await ids('?q=gpt-4o-mini&agent_id=travel-bot')).toEqual(['03', '01']);
    expect(await ids('?q=nothing-like-it')).toEqual([]);
    const first = (await api.get('/api/v1/sessions?limit=2')).body;
    const second = (await api.get(`/api/v1/sessions?limit=2&cursor=${first.next_cursor}`)).body;
    const third = (await api.get(`/api/v1/sessions?limit=2&cursor=${second.next_cursor}`)).body;
    expect([...first.items, ...second.items, ...third.items].map((s: { started_at: string }) => s.started_at.slice(8, 10))).toEqual(['05', '04', '03', '02', '01']);
    expect(third.next_cursor).toBeNull();
    const q1 = (await api.get('/api/v1/sessions?q=gpt&limit=1')).body;
    expect((await api.get(`/api/v1/sessions?q=gpt&limit=5&cursor=${q1.next_cursor}`)).body.items).toHaveLength(2);
  });

  it("keeps sessions to their project: another project's session is a 404 and in none of its lists", async () => {
    const { api } = await tenantApi(gateway, 'mine');
    const { api: other } = await tenantApi(gateway, 'theirs');
    const session = await createSession(api, llmSession('private-agent', { session_id: 'shared-name' }));

    expectError(await other.get(`/api/v1/sessions/${session.id}`), 404, 'session_not_found');
    expectError(await other.post(`/api/v1/sessions/${session.id}/events`, { events: [{ type: 'user_input', input: 'x' }] }), 404, 'session_not_found');
    expect((await other.get('/api/v1/sessions?q=capital')).body.items).toEqual([]);
    expect((await other.get('/api/v1/agents')).body.items).toEqual([]);
    // The same client id in another project is another session.
    expect((await other.post('/api/v1/sessions', { agent_id: 'x', session_id: 'shared-name', events: [] })).status).toBe(201);
    expect((await api.get('/api/v1/sessions/shared-name')).body.event_count).toBe(4);
  });

  it('refuses malformed sessions with a 422 naming the field', async () => {
    const { api } = await tenantApi(gateway, 'invalid');
    expectInvalid(await api.post('/api/v1/sessions', { events: [] }), ['body', 'agent_id']);
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a/b', events: [] }), ['body', 'agent_id']);
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a', session_id: 'has space', events: [] }), ['body', 'session_id']);
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a', events: [{ type: 'tool_call' }] }), ['body', 'events', 0, 'type']);
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a', events: [{ type: 'llm_request', model: 'm', messages: [] }] }), ['body', 'events', 0, 'messages']);
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a', events: [{ type: 'agent_output' }] }), ['body', 'events', 0, 'output']);
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a', started_at: 'yesterday', events: [] }), ['body', 'started_at']);
    const many = Array.from({ length: 1_001 }, () => ({ type: 'user_input', input: 'x' }));
    expectInvalid(await api.post('/api/v1/sessions', { agent_id: 'a', events: many }), ['body', 'events']);
    expectInvalid(await api.get('/api/v1/sessions?replayable=yes'), ['query', 'replayable']);
    expectInvalid(await api.get('/api/v1/sessions?q=a'), ['query', 'q']);
    expectInvalid(await api.get('/api/v1/sessions?cursor=forged'), ['query', 'cursor']);
    expect((await api.get('/api/v1/sessions')).body.items).toEqual([]);
  });

  it('keeps large sessions whole: events over the inline size go to S3 and come back in order', async () => {
    const { api } = await tenantApi(gateway, 'large');
    const big = 'x'.repeat(150_000);
    const session = await createSession(api, { agent_id: 'bot', events: [{ type: 'user_input', input: big }, { type: 'agent_output', output: 'ok' }] });
    await api.post(`/api/v1/sessions/${session.id}/events`, { events: [{ type: 'llm_request', model: 'm', messages: [{ role: 'user', content: big }] }] });

    const shown = (await api.get(`/api/v1/sessions/${session.id}`)).body;

    expect(shown.events.map((e: { type: string }) => e.type)).toEqual(['user_input', 'agent_output', 'llm_request']);
    expect(shown.events[0].input).toHaveLength(150_000);
    expect(shown.replay_payload.messages[0].content).toHaveLength(150_000);
    expect(shown.bytes).toBeGreaterThan(300_000);
  });
});

describe('agents and their replay_url', () => {
  it('saves, reads and clears a replay_url, lists agents seen in sessions, and keeps ignore_paths', async () => {
    const { api } = await tenantApi(gateway, 'agents');
    await createSession(api, llmSession('alpha'));
    await createSession(api, llmSession('alpha'));
    await createSession(api, llmSession('beta bot'));

    const saved = await api.put('/api/v1/agents/alpha/replay-url', { replay_url: 'https://agent.example.com/replay' });
    const read = await api.get('/api/v1/agents/alpha');
    const patched = await api.request('PATCH', '/api/v1/agents/alpha', { body: { ignore_paths: ['usage', 'choices[*].message.refusal'] } });
    const cleared = await api.request('DELETE', '/api/v1/agents/alpha/replay-url');
    const unknown = await api.get('/api/v1/agents/never-seen');
    const listed = (await api.get('/api/v1/agents')).body.items;

    expect(saved.body).toMatchObject({ agent_id: 'alpha', replay_url: 'https://agent.example.com/replay', session_count: 2 });
    expect(read.body.replay_url).toBe('https://agent.example.com/replay');
    expect(patched.body).toMatchObject({ replay_url: 'https://agent.example.com/replay', ignore_paths: ['usage', 'choices[*].message.refusal'] });
    expect(cleared.body).toMatchObject({ replay_url: null, ignore_paths: ['usage', 'choices[*].message.refusal'] });
    expect(unknown.body).toMatchObject({ agent_id: 'never-seen', replay_url: null, session_count: 0 });
    expect(listed.map((a: { agent_id: string; session_count: number }) => [a.agent_id, a.session_count])).toEqual([['alpha', 2], ['beta bot', 1]]);
  });

  it.each([
    ['credentials', 'https://user:pass@agent.example.com/replay'],
    ['another scheme', 'ftp://agent.example.com/replay'],
    ['a relative URL', '/replay'],
    ['over 2,048 characters', `https://agent.example.com/${'a'.repeat(2_048)}`],
    ['a private address', 'http://192.168.1.10/replay'],
  ])('refuses a replay_url with %s (422)', async (_name, url) => {
    const { api } = await tenantApi(gateway, 'bad-url');
    expectInvalid(await api.put('/api/v1/agents/a/replay-url', { replay_url: url }), ['body', 'replay_url']);
    expect((await api.get('/api/v1/agents/a')).body.replay_url).toBeNull();
  });
});
