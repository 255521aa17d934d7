/**
 * Manage API keys.
 *   npm run api-key -- create --project <project> --org <org> [--label <text>]
 *   npm run api-key -- revoke --key <rpr_…>
 *
 * Talks to the running local platform (through DATA_DIR/endpoints.json) unless
 * REPRISE_API_KEYS_TABLE names the stack's table on AWS (the `ApiKeysTableName`
 * stack output), in which case the usual AWS credentials and region apply.
 * `create` prints the new key alone on the last line of stdout; it is shown once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tables } from '../lib/catalogue.ts';
import type { EndpointsFile } from '../lib/local/platform.ts';
import { localCredentials } from '../lib/local/provision.ts';

const usage = `Usage:
  npm run api-key -- create --project <project> --org <org> [--label <text>]
  npm run api-key -- revoke --key <rpr_...>`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { project: { type: 'string' }, org: { type: 'string' }, label: { type: 'string' }, key: { type: 'string' } },
});
const command = positionals[0];
if (command !== 'create' && command !== 'revoke') fail(usage);

const tableName = process.env.REPRISE_API_KEYS_TABLE ?? useLocalPlatform();

// Imported after the environment is set: the DynamoDB client reads its endpoint at load.
const { createDynamoApiKeyStore } = await import('../functions/adapters/dynamodb/api-key-store.ts');
const { generateApiKey, hashApiKey, isWellFormedApiKey, TENANT_NAME_PATTERN } = await import('../functions/core/auth/api-key.ts');
const { newUuidV7 } = await import('../functions/shared/ids.ts');
const store = createDynamoApiKeyStore(tableName);

try {
  if (command === 'create') {
    const { project, org, label } = values;
    if (!project || !org) fail(usage);
    if (!TENANT_NAME_PATTERN.test(project)) fail('--project must be 1-64 letters, digits, "_" or "-"');
    if (!TENANT_NAME_PATTERN.test(org)) fail('--org must be 1-64 letters, digits, "_" or "-"');
    if (label !== undefined && label.length > 128) fail('--label must be at most 128 characters');
    const { key, keyHash } = generateApiKey();
    const keyId = `key_${newUuidV7()}`;
    await store.create({ keyHash, keyId, orgId: org, projectId: project, createdAt: new Date().toISOString(), ...(label ? { label } : {}) });
    console.log(`Created ${keyId} for org "${org}", project "${project}". Store the key now: it is not shown again.`);
    console.log(key);
  } else {
    const { key } = values;
    if (!key || !isWellFormedApiKey(key)) fail('--key must be a Reprise API key (rpr_...)');
    const revoked = await store.revoke(hashApiKey(key), new Date().toISOString());
    if (!revoked) fail('No such key.');
    console.log('Revoked. Running authorizers stop accepting it within a minute.');
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') fail('The local platform is not running: start it with `npm start` first.');
  fail(`Failed: ${(error as Error).message}`);
}

function useLocalPlatform(): string {
  const file = resolve(process.env.DATA_DIR ?? '.data', 'endpoints.json');
  let endpoints: EndpointsFile;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as EndpointsFile;
  } catch {
    fail(`No local platform found (${file} is missing): start it with \`npm start\`, or set REPRISE_API_KEYS_TABLE to use AWS.`);
  }
  Object.assign(process.env, {
    AWS_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  });
  return endpoints.tables[tables.apiKeys.envName] ?? tables.apiKeys.localName;
}
