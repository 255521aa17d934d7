import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { UnsupportedMediaTypeError, ValidationFailedError } from '#core/errors.ts';
import { parseJson } from './json-value.ts';

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json(;|$)/i;

/**
 * Parses a JSON request body into `event.body` and holds it to the JSON value
 * rules (see `json-value.ts`): 415 for another media type (with the route's
 * own words when it has them), 422/400 naming
 * the field for text that is not JSON or a value outside the rules.
 *
 * In place of `@middy/http-json-body-parser`, whose reviver does not receive
 * the numbers' source text these rules need.
 */
export function jsonBody(unsupportedMediaType?: string): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    before: async ({ event }) => {
      if (!JSON_MEDIA_TYPE.test(event.headers?.['content-type'] ?? '')) throw new UnsupportedMediaTypeError(unsupportedMediaType);
      if (event.body === undefined) throw invalidJson('Request body is empty or not valid JSON');
      const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      let parsed: ReturnType<typeof parseJson>;
      try {
        parsed = parseJson(text, 'body');
      } catch (error) {
        throw invalidJson(text.trim() === '' ? 'Request body is empty or not valid JSON' : `JSON decode error: ${(error as Error).message}`);
      }
      if (parsed.issues.length > 0) throw new ValidationFailedError(parsed.issues);
      (event as { body: unknown }).body = parsed.value;
    },
  };
}

function invalidJson(msg: string): ValidationFailedError {
  return new ValidationFailedError([{ loc: ['body'], msg, type: 'json_invalid' }]);
}
