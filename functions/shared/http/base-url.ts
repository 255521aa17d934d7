import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The API's own base URL as the caller reached it (the scheme from API Gateway's `x-forwarded-proto`). */
export function apiBaseUrl(event: APIGatewayProxyEventV2): string {
  const proto = event.headers?.['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${event.requestContext.domainName}`;
}
