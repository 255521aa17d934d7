import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReplayServerMode = 'echo' | 'random' | 'openai';

export interface ReplayServerOptions {
  mode: ReplayServerMode;
  port?: number;
  host?: string;
  /** Wait this long before answering (a stand-in for the agent's work). */
  delayMs?: number;
  /** For `openai`: an OpenAI-compatible API (default https://api.openai.com/v1), its key and the model for user-path payloads. */
  openai?: { baseUrl: string; apiKey: string; model: string };
}

export interface ReplayServer {
  url: string;
  server: Server;
  /** How many replay requests it has answered. */
  requests(): number;
  stop(): Promise<void>;
}

interface ReplayPayload {
  messages?: { role: string; content?: unknown }[];
  model?: string;
  input?: string;
  is_replay?: boolean;
}

const WORDS = ['amber', 'basil', 'cedar', 'delta', 'ember', 'fjord', 'garnet', 'harbor', 'indigo', 'juniper', 'kelp', 'lumen', 'meadow', 'nectar', 'onyx', 'pepper'];

/**
 * The example agent endpoint for reproducibility runs: accepts `POST /` and
 * `POST /replay` with either replay payload (`{messages, model, is_replay}`
 * or `{input, is_replay}`) and answers as an OpenAI chat completion.
 *   echo    the same payload gets the same content, with a fresh id and created (as a real API)
 *   random  the content varies from call to call
 *   openai  forwards to an OpenAI-compatible API (OPENAI_BASE_URL, OPENAI_API_KEY)
 */
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  let answered = 0;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 502, { error: { message: `The replay server failed: ${(error as Error).message}` } }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const path = new URL(request.url ?? '/', 'http://local').pathname;
    if (request.method !== 'POST' || (path !== '/' && path !== '/replay')) {
      return json(response, 404, { error: { message: 'POST a replay payload to / or /replay' } });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let payload: ReplayPayload;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReplayPayload;
    } catch {
      return json(response, 400, { error: { message: 'The body is not JSON' } });
    }
    const messages = Array.isArray(payload.messages) ? payload.messages : typeof payload.input === 'string' ? [{ role: 'user', content: payload.input }] : undefined;
    if (!messages) return json(response, 400, { error: { message: 'Expected {"messages": [...], "model": ...} or {"input": "..."}' } });
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    answered++;
    if (options.mode === 'openai') return forward(response, messages, payload.model);
    const last = [...messages].reverse().find((m) => m.role === 'user') ?? messages.at(-1);
    const said = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
    const content = options.mode === 'echo' ? `You said: ${said}` : `${said.slice(0, 40)} → ${Array.from({ length: 6 }, () => WORDS[randomBytes(1)[0]! % WORDS.length]).join(' ')}`;
    json(response, 200, completion(payload.model ?? 'replay-server', content));
  }

  async function forward(response: ServerResponse, messages: NonNullable<ReplayPayload['messages']>, model: string | undefined) {
    const openai = options.openai;
    if (!openai?.apiKey) return json(response, 500, { error: { message: 'Set OPENAI_API_KEY to use --mode openai' } });
    const upstream = await fetch(`${openai.baseUrl.replace(/\/$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${openai.apiKey}` },
      body: JSON.stringify({ model: model ?? openai.model, messages }),
    });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    requests: () => answered,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function completion(model: string, content: string) {
  return {
    id: `chatcmpl-${randomUUID().replaceAll('-', '')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: content.split(/\s+/).length, total_tokens: content.split(/\s+/).length },
  };
}

function json(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
