import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type BucketProps } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { BucketId, SecretId, TableId, TableSpec } from '../../catalogue.ts';
import { idsOf, pascal, type Catalogue } from '../catalogue-input.ts';

export interface DataProps {
  /** One DynamoDB table per entry, keys, TTL and indexes as given. */
  readonly tables: Catalogue['tables'];
  /** One S3 bucket per entry. */
  readonly buckets: Catalogue['buckets'];
  /** One Secrets Manager secret per entry: a generated random key, or an empty JSON document the operator fills in. */
  readonly secrets: Catalogue['secrets'];
  /**
   * How long server access logs of the buckets are kept.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
}

/**
 * The catalogue's tables, buckets and secrets. Stateful, so retained when the
 * stack is deleted: tables on demand with point-in-time recovery and deletion
 * protection; buckets versioned, TLS only, never public, their access logged
 * to a bucket of its own; secrets generated at deployment, never in the template.
 */
export class Data extends Construct {
  readonly tables: Record<TableId, Table>;
  readonly buckets: Record<BucketId, Bucket>;
  readonly secrets: Record<SecretId, Secret>;
  /** Receives the server access logs of the catalogue's buckets. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    // Log delivery through a bucket policy, as ACLs are disabled (BUCKET_OWNER_ENFORCED); pinned here
    // so the buckets synthesize the same under an app without Reprise's cdk.json.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.tables = Object.fromEntries(
      idsOf(props.tables).map((tableId) => [tableId, this.table(tableId, props.tables[tableId])]),
    ) as Record<TableId, Table>;

    const common: BucketProps = {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ expiration: props.accessLogRetention ?? Duration.days(365) }],
    });
    this.buckets = Object.fromEntries(
      idsOf(props.buckets).map((bucketId) => [
        bucketId,
        new Bucket(this, `${pascal(bucketId)}Bucket`, {
          ...common,
          versioned: true,
          serverAccessLogsBucket: this.accessLogs,
          serverAccessLogsPrefix: `${bucketId}/`,
        }),
      ]),
    ) as Record<BucketId, Bucket>;

    this.secrets = Object.fromEntries(
      idsOf(props.secrets).map((secretId) => {
        const spec = props.secrets[secretId];
        const generated = spec.value === 'generatedKey';
        const secret = new Secret(this, `${pascal(secretId)}Secret`, {
          description: spec.description,
          // An operator's document starts empty ({}): the template holds no credential either way.
          ...(generated ? { generateSecretString: { passwordLength: 64, excludePunctuation: true } } : { secretObjectValue: {} }),
          removalPolicy: RemovalPolicy.RETAIN,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: generated
            ? // A key Reprise generates and uses itself (the report signing key): rotating it on a schedule
              // would make everything signed before unverifiable, so an operator replaces it deliberately.
              `${spec.description}: generated here and used only by Reprise; scheduled rotation would make everything signed before it unverifiable, so an operator replaces it deliberately.`
            : `${spec.description}: credentials the operator sets from other systems' consoles (model providers) and rotates there; a Lambda rotation function cannot rotate another company's API key.`,
        });
        return [secretId, secret];
      }),
    ) as Record<SecretId, Secret>;
  }

  private table(tableId: TableId, spec: TableSpec): Table {
    const table = new Table(this, `${pascal(tableId)}Table`, {
      partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
      ...(spec.sortKey ? { sortKey: { name: spec.sortKey, type: AttributeType.STRING } } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      ...(spec.ttlAttribute ? { timeToLiveAttribute: spec.ttlAttribute } : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of spec.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey ? { sortKey: { name: index.sortKey, type: AttributeType.STRING } } : {}),
      });
    }
    return table;
  }
}
