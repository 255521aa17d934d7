import { describe, expect, it } from 'vitest';
import { catalogue, idsOf } from '../../lib/cdk/catalogue-input.ts';
import { synthesize } from './synth.ts';
import { queries, type Statement } from './template-queries.ts';

// Prepare and act once per file; each test assesses the same template.
const { template } = synthesize();
const q = queries(template);

describe('tables', () => {
  it('are one per catalogue table', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', idsOf(catalogue.tables).length);
  });

  it('are on demand, encrypted, point-in-time recoverable, protected and retained, with the catalogue keys, TTL and indexes', () => {
    for (const tableId of idsOf(catalogue.tables)) {
      const spec = catalogue.tables[tableId];
      const [, table] = q.resources('AWS::DynamoDB::Table').find(([id]) => id === q.tableId(tableId))!;
      expect(table.Properties, tableId).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: spec.partitionKey, KeyType: 'HASH' },
          ...(spec.sortKey ? [{ AttributeName: spec.sortKey, KeyType: 'RANGE' }] : []),
        ],
      });
      expect(table.Properties.TimeToLiveSpecification, tableId).toEqual(
        spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined,
      );
      expect((table.Properties.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName), tableId).toEqual(
        (spec.indexes ?? []).map((i) => i.name),
      );
      expect(table.DeletionPolicy, tableId).toBe('Retain');
    }
  });
});

describe('secrets', () => {
  it('are one per catalogue secret and retained: keys generated at deployment, operator documents created empty ({})', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', idsOf(catalogue.secrets).length);
    for (const secretId of idsOf(catalogue.secrets)) {
      const [, secret] = q.resources('AWS::SecretsManager::Secret').find(([id]) => id === q.secretId(secretId))!;
      expect(secret.Properties.Description, secretId).toBe(catalogue.secrets[secretId].description);
      if (catalogue.secrets[secretId].value === 'generatedKey') {
        expect(secret.Properties.GenerateSecretString, secretId).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
        expect(secret.Properties.SecretString, secretId).toBeUndefined();
      } else {
        // No credential in the template: the operator puts the providers in after deploying.
        expect(secret.Properties.SecretString, secretId).toBe('{}');
        expect(secret.Properties.GenerateSecretString, secretId).toBeUndefined();
      }
      expect(secret.DeletionPolicy, secretId).toBe('Retain');
    }
    expect(idsOf(catalogue.secrets).map((id) => catalogue.secrets[id].value).sort()).toEqual(['generatedKey', 'operatorJson']);
  });
});

describe('buckets', () => {
  const denySsl = (s: Statement) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false';

  it('are encrypted, never public, TLS only and retained, the access log bucket included', () => {
    const buckets = q.resources('AWS::S3::Bucket');
    expect(buckets.length).toBe(idsOf(catalogue.buckets).length + 1);
    const policies = q.resources('AWS::S3::BucketPolicy');
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.BucketEncryption, id).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.AccessControl, id).toBeUndefined();
      expect(bucket.DeletionPolicy, id).toBe('Retain');
      const policy = policies.find(([, p]) => p.Properties.Bucket.Ref === id);
      expect((policy?.[1].Properties.PolicyDocument.Statement as Statement[]).some(denySsl), id).toBe(true);
    }
  });

  it('are versioned and log their access to the access log bucket, each under its own prefix', () => {
    const [logBucketId] = q.byPrefix('AWS::S3::Bucket', 'DataAccessLogs');
    for (const bucketId of idsOf(catalogue.buckets)) {
      const [, bucket] = q.resources('AWS::S3::Bucket').find(([id]) => id === q.bucketId(bucketId))!;
      expect(bucket.Properties, bucketId).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: `${bucketId}/` },
      });
    }
  });
});
