import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export interface HttpEventOptions {
  method?: string;
  /** The request path; also the route key unless `routePath` says otherwise. */
  path?: string;
  routePath?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  /** The Lambda authorizer's context; left out, the event has no authorizer at all. */
  authorizer?: Record<string, unknown>;
  requestId?: string;
}

/** An HTTP API (API Gateway v2, payload 2.0) event, as API Gateway or the local gateway delivers it. */
export function httpEvent(options: HttpEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/';
  const routeKey = `${method} ${options.routePath ?? path}`;
  const requestContext = {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example.test',
    domainPrefix: 'api',
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
    requestId: options.requestId ?? 'apigw-request-1',
    routeKey,
    stage: '$default',
    time: '25/Nov/2026:12:00:00 +0000',
    timeEpoch: 1_795_608_000_000,
    ...(options.authorizer === undefined ? {} : { authorizer: { lambda: options.authorizer } }),
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { ...(options.headers ?? {}) },
    ...(options.query === undefined ? {} : { queryStringParameters: { ...options.query } }),
    ...(options.pathParameters === undefined ? {} : { pathParameters: { ...options.pathParameters } }),
    requestContext,
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  } as APIGatewayProxyEventV2;
}

/** A Lambda context for one invocation. */
export function fakeLambdaContext(awsRequestId = 'lambda-request-1'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'reprise-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reprise-test',
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: '/aws/lambda/reprise-test',
    logStreamName: '2026/11/25/[$LATEST]0',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An authorizer verdict for a valid key. */
export const authenticatedAs = (orgId = 'acme', projectId = 'prj_01kb2c3d4e5f6g7h8j9k0m1n2p', keyId = 'key_1', projectName = 'checkout') => ({
  authenticated: true,
  orgId,
  projectId,
  projectName,
  keyId,
});

export interface DecodedResult {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined for an empty one. */
  body: any;
  rawBody: string;
}

/** Reads a handler's structured result, parsing its JSON body. */
export function decodeResult(result: unknown): DecodedResult {
  const structured = result as APIGatewayProxyStructuredResultV2;
  const rawBody = structured.body ?? '';
  return {
    status: structured.statusCode ?? 0,
    headers: (structured.headers ?? {}) as Record<string, string>,
    body: rawBody === '' ? undefined : JSON.parse(rawBody),
    rawBody,
  };
}
