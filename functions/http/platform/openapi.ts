import { httpRoute } from '#shared/http/route.ts';
import { buildOpenApiDocument } from '../openapi-document.ts';
import { openApi } from './contract.ts';

const document = buildOpenApiDocument();

export const handler = httpRoute(openApi, async () => ({ status: 200, body: document }));
