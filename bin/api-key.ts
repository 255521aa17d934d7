/**
 * Manage API keys and projects.
 *   npm run api-key -- create --org <org> --project <name> [--label <text>]
 *   npm run api-key -- projects --org <org>
 *   npm run api-key -- revoke <key_id>        (or --key <rpr_…>)
 *
 * `create` makes the org's project of that name on first use (with a generated
 * id, `prj_…`) and reuses it afterwards.
 * Talks to the running local platform (through DATA_DIR/endpoints.json) unless
 * REPRISE_API_KEYS_TABLE names the stack's table on AWS (the `ApiKeysTableName`
 * stack output), in which case the usual AWS credentials and region apply.
 * `create` prints the new key alone on the last line of stdout; it is shown once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { tables } from '../lib/catalogue.ts';
import { fail, parseCli } from '../lib/cli-args.ts';
import type { EndpointsFile } from '../lib/local/platform.ts';
import { localCredentials } from '../lib/local/provision.ts';

const usage = `Usage:
  npm run api-key -- create --org <org> --project <name> [--label <text>]
  npm run api-key -- projects --org <org>
  npm run api-key -- revoke <key_id>
  npm run api-key -- revoke --key <rpr_...>`;

const help = `${usage}

Makes, lists and revokes API keys. \`create\` makes the org's project of that
name on first use and prints the new key alone on the last line (shown once).

Where the keys live:
  the local platform   found through DATA_DIR/endpoints.json (DATA_DIR: default .data,
                       the one \`npm start\` uses); start it first
  AWS                  set REPRISE_API_KEYS_TABLE and REPRISE_PROJECTS_TABLE (the stack's
                       ApiKeysTableName and ProjectsTableName outputs); AWS credentials apply`;

const options = {
  project: { type: 'string' },
  org: { type: 'string' },
  label: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const { positionals, values } = parseCli(options, usage, help);
const command = positionals[0];
if (command !== 'create' && command !== 'revoke' && command !== 'projects') fail(usage);
const dataDir = resolve(process.env.DATA_DIR ?? '.data');

const { keysTable, projectsTable } = process.env.REPRISE_API_KEYS_TABLE
  ? { keysTable: process.env.REPRISE_API_KEYS_TABLE, projectsTable: process.env.REPRISE_PROJECTS_TABLE ?? fail('Set REPRISE_PROJECTS_TABLE too (the ProjectsTableName stack output).') }
  : useLocalPlatform();

// Imported after the environment is set: the DynamoDB client reads its endpoint at load.
const { createDynamoApiKeyStore } = await import('../functions/adapters/dynamodb/api-key-store.ts');
const { createDynamoProjectStore } = await import('../functions/adapters/dynamodb/project-store.ts');
const { hashApiKey, isWellFormedApiKey, TENANT_NAME_PATTERN } = await import('../functions/core/auth/api-key.ts');
const { issueApiKey } = await import('../functions/core/auth/issue-key.ts');
const { newProjectId, newUuidV7 } = await import('../functions/shared/ids.ts');
const store = createDynamoApiKeyStore(keysTable);
const projects = createDynamoProjectStore(projectsTable);

try {
  if (command === 'create') {
    const { project, org, label } = values;
    if (!project || !org) fail(usage);
    if (!TENANT_NAME_PATTERN.test(project)) fail('--project must be 1-64 letters, digits, "_" or "-"');
    if (!TENANT_NAME_PATTERN.test(org)) fail('--org must be 1-64 letters, digits, "_" or "-"');
    if (label !== undefined && label.length > 128) fail('--label must be at most 128 characters');
    const issued = await issueApiKey(
      { projects, keys: store, newProjectId, newKeyId: () => `key_${newUuidV7()}`, now: () => new Date() },
      { orgId: org, projectName: project, label },
    );
    const which = issued.projectCreated ? 'new project' : 'project';
    console.log(`Created ${issued.keyId} for org "${org}", ${which} "${project}" (${issued.project.projectId}). Store the key now: it is not shown again.`);
    console.log(issued.key);
  } else if (command === 'projects') {
    const { org } = values;
    if (!org || !TENANT_NAME_PATTERN.test(org)) fail('--org must be 1-64 letters, digits, "_" or "-"');
    const list = await projects.list(org);
    if (list.length === 0) console.log(`Org "${org}" has no projects yet.`);
    for (const p of list) console.log(`${p.projectId}  ${p.name}  (created ${p.createdAt})`);
  } else {
    const keyHash = await keyHashToRevoke(positionals[1], values.key);
    const revoked = await store.revoke(keyHash, new Date().toISOString());
    if (!revoked) fail('No such key.');
    console.log('Revoked. Running authorizers stop accepting it within a minute.');
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') fail(`The local platform of DATA_DIR ${dataDir} is not running: start it with \`npm start\` first.`);
  fail(`Failed: ${(error as Error).message}`);
}

async function keyHashToRevoke(keyId: string | undefined, key: string | undefined): Promise<string> {
  if (key !== undefined) {
    if (!isWellFormedApiKey(key)) fail('--key must be a Reprise API key (rpr_...)');
    return hashApiKey(key);
  }
  if (!keyId || !/^key_[0-9a-f-]{36}$/.test(keyId)) fail(usage);
  const record = await store.findByKeyId(keyId);
  if (!record) fail('No such key.');
  return record.keyHash;
}

function useLocalPlatform(): { keysTable: string; projectsTable: string } {
  const file = resolve(dataDir, 'endpoints.json');
  let endpoints: EndpointsFile;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as EndpointsFile;
  } catch {
    fail(
      `No local platform found in DATA_DIR ${dataDir} (no endpoints.json there): start it with \`npm start\`, set DATA_DIR to the one it uses, or set REPRISE_API_KEYS_TABLE to use AWS.`,
    );
  }
  Object.assign(process.env, {
    AWS_REGION: endpoints.region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
  });
  return {
    keysTable: endpoints.tables[tables.apiKeys.envName] ?? tables.apiKeys.localName,
    projectsTable: endpoints.tables[tables.projects.envName] ?? tables.projects.localName,
  };
}
