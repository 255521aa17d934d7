import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FunctionSpec } from '../../lib/catalogue.ts';
import { catalogue, idsOf } from '../../lib/cdk/catalogue-input.ts';
import { repositoryRoot } from '../../lib/cdk/constructs/reprise-function.ts';
import { synthesize } from './synth.ts';
import { actionsOf, allFunctions, envNamesOf, mentions, queries } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { app, template } = synthesize();
const q = queries(template);
const specs = allFunctions(catalogue);
const dynamoWrites = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

const uses = (spec: FunctionSpec, kind: 'table' | 'queue' | 'bucket' | 'secret', id: string) =>
  spec.uses.some((access) => kind in access && (access as Record<string, unknown>)[kind] === id);

describe('functions', () => {
  it('are one per catalogue entry', () => {
    expect(q.resources('AWS::Lambda::Function').map(([, f]) => f.Properties.Description).sort()).toEqual(specs.map((s) => s.entry).sort());
  });

  it('run Node 24 on ARM64 with the catalogue timeout and memory', () => {
    for (const spec of specs) {
      expect(q.fn(spec)[1].Properties, spec.entry).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: spec.timeoutSeconds,
        MemorySize: spec.memoryMb,
      });
    }
  });

  it('log JSON into a log group of their own with a retention, at the level Powertools uses too', () => {
    const logGroups = new Set<string>();
    for (const spec of specs) {
      const { LoggingConfig, Environment } = q.fn(spec)[1].Properties;
      expect(LoggingConfig, spec.entry).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
      expect(Environment.Variables, spec.entry).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'reprise',
        POWERTOOLS_LOG_LEVEL: LoggingConfig.ApplicationLogLevel,
        NODE_OPTIONS: '--enable-source-maps',
      });
      const logGroupId = LoggingConfig.LogGroup.Ref as string;
      logGroups.add(logGroupId);
      const [, logGroup] = q.resources('AWS::Logs::LogGroup').find(([id]) => id === logGroupId)!;
      expect(logGroup.Properties.RetentionInDays, spec.entry).toBe(30);
    }
    expect(logGroups.size).toBe(specs.length);
  });

  it('get the env var of exactly the resources they use', () => {
    const defaults = ['NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME'];
    for (const spec of specs) {
      const expected = [...defaults, ...spec.uses.flatMap((access) => envNamesOf(catalogue, access))].sort();
      expect(Object.keys(q.fn(spec)[1].Properties.Environment.Variables).sort(), spec.entry).toEqual(expected);
    }
  });

  it('have roles without AWS managed policies that may write only to their own log group', () => {
    for (const spec of specs) {
      const [functionId, fn] = q.fn(spec);
      const roleId = q.roleIdOf(functionId);
      const [, role] = q.resources('AWS::IAM::Role').find(([id]) => id === roleId)!;
      expect(role.Properties.ManagedPolicyArns, spec.entry).toBeUndefined();
      const logStatements = q.statementsOfRole(roleId).filter((s) => actionsOf([s]).some((a) => a.startsWith('logs:')));
      expect(logStatements, spec.entry).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] } },
      ]);
    }
  });

  it('are granted only the tables, queues, buckets and secrets their entry uses, writing only where it says so', () => {
    for (const spec of specs) {
      const statements = q.statementsOf(spec);
      for (const tableId of idsOf(catalogue.tables)) {
        const onTable = statements.filter((s) => mentions(s, q.tableId(tableId)));
        if (!uses(spec, 'table', tableId)) expect(onTable, `${spec.entry} on ${tableId}`).toEqual([]);
        else if (spec.uses.some((a) => 'table' in a && a.table === tableId && a.mode === 'read')) {
          expect(actionsOf(onTable).filter((a) => dynamoWrites.includes(a)), `${spec.entry} on ${tableId}`).toEqual([]);
        }
      }
      for (const queueId of idsOf(catalogue.queues)) {
        if (uses(spec, 'queue', queueId)) continue;
        const isWorkerQueue = catalogue.workers.some((w) => w.entry === spec.entry && w.queue === queueId);
        if (!isWorkerQueue) expect(statements.filter((s) => mentions(s, q.queueId(queueId))), `${spec.entry} on ${queueId}`).toEqual([]);
      }
      for (const bucketId of idsOf(catalogue.buckets)) {
        if (!uses(spec, 'bucket', bucketId)) expect(statements.filter((s) => mentions(s, q.bucketId(bucketId))), `${spec.entry} on ${bucketId}`).toEqual([]);
      }
      for (const secretId of idsOf(catalogue.secrets)) {
        const onSecret = statements.filter((s) => mentions(s, q.secretId(secretId)));
        if (!uses(spec, 'secret', secretId)) expect(onSecret, `${spec.entry} on ${secretId}`).toEqual([]);
        else expect(new Set(actionsOf(onSecret)), `${spec.entry} on ${secretId}`).toEqual(new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']));
      }
      if (!spec.uses.some((a) => 'scheduler' in a)) expect(actionsOf(statements).filter((a) => /^(scheduler|iam):/.test(a)), spec.entry).toEqual([]);
    }
  });

  it('let the ledger post-result function write the ledger table and touch nothing of apiKeys', () => {
    const statements = q.statementsOf('functions/http/ledger/post-result.ts');
    const onLedger = statements.filter((s) => mentions(s, q.tableId('ledger')));
    expect(actionsOf(onLedger)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:GetItem']));
    expect(statements.filter((s) => mentions(s, q.tableId('apiKeys')))).toEqual([]);
  });

  it('let every function that ends a session replay (worker, cancel, sweeper) write its ledger submission and read its results', () => {
    for (const entry of ['functions/workers/session-replay-worker.ts', 'functions/http/session-replay/cancel-replay.ts', 'functions/workers/sweeper.ts']) {
      const statements = q.statementsOf(entry);
      expect(actionsOf(statements.filter((s) => mentions(s, q.tableId('ledger')))), entry).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem']));
      expect(actionsOf(statements.filter((s) => mentions(s, q.bucketId('recordings')))), entry).toEqual(expect.arrayContaining(['s3:GetObject*']));
    }
  });

  it('let /health probe one table, queue and bucket without reading any data', () => {
    const statements = q.statementsOf('functions/http/platform/health.ts').filter((s) => !actionsOf([s]).every((a) => a.startsWith('logs:')));

    expect(statements.map((s) => [[s.Action].flat(), [q.tableId('apiKeys'), q.queueId('runs'), q.bucketId('artifacts')].filter((id) => mentions(s, id))])).toEqual(
      expect.arrayContaining([
        [['dynamodb:DescribeTable'], [q.tableId('apiKeys')]],
        [['sqs:GetQueueAttributes'], [q.queueId('runs')]],
        [['s3:ListBucket'], [q.bucketId('artifacts')]],
      ]),
    );
    expect(statements).toHaveLength(3);
  });

  it('let the authorizer read apiKeys and nothing else', () => {
    const statements = q.statementsOf(catalogue.authorizer).filter((s) => !actionsOf([s]).every((a) => a.startsWith('logs:')));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(mentions(statement, q.tableId('apiKeys'))).toBe(true);
      expect(mentions(statement, q.tableId('ledger'))).toBe(false);
    }
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem']));
    expect(actions.every((a) => a.startsWith('dynamodb:') && !dynamoWrites.includes(a))).toBe(true);
  });

  it('are synthesized here without running esbuild (bundling skipped), unlike `cdk synth`', () => {
    const assembly = app.synth();
    expect(readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'Reprise.assets.json'), 'utf8'));
    const code = Object.values(manifest.files as Record<string, { displayName: string; source: { path: string } }>).filter((f) =>
      f.displayName.endsWith('/Code'),
    );
    expect(code.length).toBe(specs.length);
    // Bundled, each would be its own asset.<hash> directory holding index.mjs.
    for (const file of code) expect(file.source.path, file.displayName).toBe(repositoryRoot);
  });
});
