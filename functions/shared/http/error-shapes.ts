import { DomainError, ValidationFailedError } from '#core/errors.ts';

/**
 * Each API keeps the error shape of the product it was specified from:
 * `/api/v1/*` the FastAPI shape (`detail`, `error_code`, …, and 422 issue
 * lists), `/v2/*` the `{ error: { type, message, param } }` shape.
 */
export type ApiFamily = 'v1' | 'v2';

export interface RenderedError {
  status: number;
  body: unknown;
}

export function familyOfPath(path: string): ApiFamily {
  return path === '/v2' || path.startsWith('/v2/') ? 'v2' : 'v1';
}

const INTERNAL_MESSAGE = 'Internal server error';

/** Renders any thrown value; only `DomainError`s expose their message. */
export function renderError(family: ApiFamily, error: unknown, correlationId: string, now = new Date()): RenderedError {
  const domain = error instanceof DomainError ? error : undefined;
  const status = domain?.status ?? 500;
  const message = domain?.message ?? INTERNAL_MESSAGE;

  if (family === 'v2') {
    const type = status === 401 ? 'invalid_api_key' : status >= 500 ? 'api_error' : 'invalid_request_error';
    const v2Status = status === 422 ? 400 : status;
    return { status: v2Status, body: { error: { type, message, ...(domain?.param ? { param: domain.param } : {}) } } };
  }

  if (error instanceof ValidationFailedError) {
    return { status: 422, body: { detail: error.issues } };
  }
  return {
    status,
    body: {
      detail: message,
      error_code: domain?.code ?? 'internal_error',
      correlation_id: correlationId,
      timestamp: now.toISOString(),
    },
  };
}
