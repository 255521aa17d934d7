import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { DomainError } from '../../functions/core/errors.ts';
import { familyOfPath, renderError } from '../../functions/shared/http/error-shapes.ts';

/**
 * The gateway's own refusals (a body over its limit, a request Node's parser
 * refuses), rendered in the error shape of the API family the path belongs
 * to, as the handlers render theirs, with a correlation id. API Gateway
 * answers these with its own bare `{"message": …}` bodies, which no client of
 * this API expects; the local gateway can do better where it sees the path.
 */
export function gatewayRefusal(path: string, status: number, code: string, message: string): { status: number; headers: Record<string, string>; body: string } {
  const correlationId = randomUUID();
  const rendered = renderError(familyOfPath(path), new DomainError(status, code, message), correlationId);
  return {
    status: rendered.status,
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify(rendered.body),
  };
}

/** Why Node's HTTP parser refused a request, as a status and a message for the caller. */
export function parserRefusal(error: NodeJS.ErrnoException, maxHeaderBytes: number): { status: number; code: string; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'request_header_fields_too_large', message: `The request line and headers exceed the limit of ${maxHeaderBytes} bytes` };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'The request did not arrive in time' };
    default:
      return { status: 400, code: 'bad_request', message: 'The request is not valid HTTP/1.1 (request line, header or body framing)' };
  }
}

/** The path of a raw request, as far as its first line can be read (`/` when it cannot). */
export function pathOfRawRequest(raw: Buffer | undefined): string {
  const firstLine = raw?.toString('latin1').split('\r\n', 1)[0] ?? '';
  const target = /^[A-Z]+ (\S+)/.exec(firstLine)?.[1] ?? '/';
  return target.startsWith('/') ? target.split('?', 1)[0]! : '/';
}

/** A whole HTTP/1.1 response as bytes, for a socket the HTTP server will not answer on. */
export function rawResponse(refusal: { status: number; headers: Record<string, string>; body: string }): string {
  const headers = { ...refusal.headers, 'content-length': String(Buffer.byteLength(refusal.body)), connection: 'close' };
  return [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`), '', refusal.body].join('\r\n');
}
