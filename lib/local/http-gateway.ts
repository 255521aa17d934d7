import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authorizer, fallbackRoute, routes, type FunctionSpec, type RouteSpec } from '../catalogue.ts';
import { PortInUseError } from './free-port.ts';
import { gatewayRefusal, parserRefusal, pathOfRawRequest, rawResponse } from './gateway-errors.ts';
import { inProcessHost, type FunctionHost } from './function-host.ts';
import { createRouteMatcher } from '../route-matcher.ts';
import { createVerdictCache, type AuthorizerAnswer, type VerdictCache } from './verdict-cache.ts';

/** API Gateway's own payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
/** API Gateway's limit on the request line and headers together (HTTP API quota: 10,240 bytes). */
const MAX_HEADER_BYTES = 10 * 1024;
const TEXT_CONTENT = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

export interface HttpGateway {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * The local stand-in for the HTTP API: turns each request into an API
 * Gateway v2 event, runs the authorizer for routes that need it, and invokes
 * the route's handler module — the same module Lambda runs.
 */
export async function startHttpGateway(
  options: {
    port?: number;
    host?: string;
    routes?: readonly RouteSpec[];
    /** Where handlers run. @default in this process */
    functions?: FunctionHost;
    /** How long an authorizer answer is reused per key; 0 asks the authorizer every time. @default the catalogue's `verdictTtlSeconds` */
    verdictTtlSeconds?: number;
  } = {},
): Promise<HttpGateway> {
  const match = createRouteMatcher(options.routes ?? routes);
  const functions = options.functions ?? inProcessHost;
  const verdicts = createVerdictCache(options.verdictTtlSeconds ?? authorizer.verdictTtlSeconds);
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    handle(request, response, match, functions, verdicts).catch((error: unknown) => {
      console.error('local gateway error', error);
      if (!response.headersSent) writeJson(response, 500, { message: 'Internal Server Error' });
    });
  });
  // Requests Node's parser refuses (oversized headers, a malformed request line) never reach `handle`.
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
    const refusal = parserRefusal(error, MAX_HEADER_BYTES);
    socket.end(rawResponse(gatewayRefusal(pathOfRawRequest(error.rawPacket), refusal.status, refusal.code, refusal.message)));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port ?? 0) : error));
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host ?? '127.0.0.1'}:${port}`,
    server,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  match: ReturnType<typeof createRouteMatcher>,
  functions: FunctionHost,
  verdicts: VerdictCache,
) {
  const body = await readBody(request);
  const rawPath = (request.url ?? '/').split('?', 1)[0]!;
  if (body === 'too_large') return writeRefusal(response, gatewayRefusal(rawPath, 413, 'payload_too_large', `Request body exceeds the gateway's limit of ${MAX_REQUEST_BYTES} bytes`));

  // Prefixed rather than resolved: a path starting with // is a path here, not a host.
  let url: URL;
  try {
    url = new URL(`http://local${request.url ?? '/'}`);
  } catch {
    return writeRefusal(response, gatewayRefusal(rawPath, 400, 'bad_request', 'The request target is not a valid path'));
  }
  const method = (request.method ?? 'GET').toUpperCase();
  const found = match(method, url.pathname);
  const routeKey = found ? `${found.route.method} ${found.route.path}` : '$default';
  const event = toEvent(request, url, method, routeKey, body, found?.pathParameters);

  if (found?.route.auth) {
    const verdict = await verdicts.answer(event, () => functions.invoke(authorizer, toAuthorizerEvent(event)) as Promise<AuthorizerAnswer>);
    if (!verdict?.isAuthorized) return writeJson(response, 403, { message: 'Forbidden' });
    (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: verdict.context ?? {} };
  }

  const spec: FunctionSpec = found?.route ?? fallbackRoute;
  let result: unknown;
  try {
    result = await functions.invoke(spec, event);
  } catch (error) {
    console.error(`${spec.entry} failed`, error);
    return writeJson(response, 500, { message: 'Internal Server Error' });
  }
  writeResult(response, result);
}

function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_REQUEST_BYTES ? 'too_large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  method: string,
  routeKey: string,
  body: Buffer,
  pathParameters: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  // As API Gateway does: repeated headers and query parameters joined by ",". Null-prototype
  // objects, so names such as "constructor" or "__proto__" are ordinary keys.
  const headers: Record<string, string> = Object.create(null);
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined && name !== 'cookie') headers[name] = values.join(',');
  }
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams) query[name] = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
  const cookies = request.headers.cookie?.split(';').map((c) => c.trim()).filter(Boolean);
  const isText = body.length === 0 || TEXT_CONTENT.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function toAuthorizerEvent(event: APIGatewayProxyEventV2) {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${event.routeKey.replace(' ', '')}`,
    identitySource: [],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    headers: event.headers,
    queryStringParameters: event.queryStringParameters,
    pathParameters: event.pathParameters,
    requestContext: event.requestContext,
  };
}

/** Writes a handler result, inferring the response as API Gateway does for non-structured results. */
function writeResult(response: ServerResponse, result: unknown) {
  const structured =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result) };
  for (const [name, value] of Object.entries(structured.headers ?? {})) response.setHeader(name, String(value));
  if (structured.cookies?.length) response.setHeader('set-cookie', structured.cookies);
  response.statusCode = structured.statusCode ?? 200;
  const payload = structured.body ?? '';
  response.end(structured.isBase64Encoded ? Buffer.from(payload, 'base64') : payload);
}

function writeRefusal(response: ServerResponse, refusal: { status: number; headers: Record<string, string>; body: string }) {
  response.writeHead(refusal.status, refusal.headers);
  response.end(refusal.body);
}

function writeJson(response: ServerResponse, status: number, body: unknown) {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify(body));
}
