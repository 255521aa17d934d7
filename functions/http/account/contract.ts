import { z } from 'zod';
import { defineContract } from '#shared/http/contract.ts';

export const meSchema = z.object({
  org_id: z.string(),
  project_id: z.string().describe('The generated project id (prj_…): scope of runs, aliases, executions and the outputs prefix'),
  project_name: z.string(),
  key_id: z.string(),
});

export const getMe = defineContract({
  method: 'GET',
  path: '/api/v1/me',
  family: 'v1',
  operationId: 'getMe',
  summary: 'Who the calling API key is: its org, project and key id',
  tags: ['Account'],
  auth: true,
  request: {},
  responses: {
    200: { description: 'The calling key', schema: meSchema },
    401: { description: 'Missing, unknown or revoked API key' },
  },
});
