/**
 * Domain errors. Core throws these; the HTTP layer renders each in the error
 * shape of its API family (see `functions/shared/http/error-shapes.ts`).
 */

/** One field-level problem, in the location/message/type form of a 422 body. */
export interface FieldIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

export class DomainError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request parameter at fault, when there is one. */
  readonly param: string | undefined;

  constructor(status: number, code: string, message: string, param?: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

/** The request is well-formed but cannot be served (400). */
export class InvalidRequestError extends DomainError {
  constructor(message: string, param?: string) {
    super(400, 'invalid_request', message, param);
  }
}

/** One or more fields failed validation (422 on /api/v1, 400 on /v2). */
export class ValidationFailedError extends DomainError {
  readonly issues: FieldIssue[];

  constructor(issues: FieldIssue[]) {
    const first = issues[0];
    super(422, 'validation_error', first ? describeIssue(first) : 'Invalid request', first ? paramOf(first) : undefined);
    this.issues = issues;
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Missing or invalid API key. Send it as "Authorization: Bearer <key>".') {
    super(401, 'invalid_api_key', message);
  }
}

/** Unknown id, or an id that belongs to another tenant: both are a 404. */
export class NotFoundError extends DomainError {
  constructor(message: string, code = 'not_found') {
    super(404, code, message);
  }
}

/** A known path asked with a method it does not answer; `allowed` is what it does answer (the `Allow` header). */
export class MethodNotAllowedError extends DomainError {
  readonly allowed: readonly string[];

  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, 'method_not_allowed', `${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`);
    this.allowed = allowed;
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `Request body exceeds the limit of ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(message = 'Content-Type must be application/json') {
    super(415, 'unsupported_media_type', message);
  }
}

/**
 * A service the request needs (storage, a queue) is down, unreachable or
 * throttling: not the caller's fault, and worth retrying (503 with Retry-After).
 */
export class DependencyUnavailableError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(message = 'A service this API depends on is unavailable right now; retry shortly.', retryAfterSeconds = 5) {
    super(503, 'service_unavailable', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function paramOf(issue: FieldIssue): string | undefined {
  const path = issue.loc.slice(1);
  return path.length > 0 ? path.join('.') : undefined;
}

function describeIssue(issue: FieldIssue): string {
  const param = paramOf(issue);
  return param ? `${param}: ${issue.msg}` : issue.msg;
}
