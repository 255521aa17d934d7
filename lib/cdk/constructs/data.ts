import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { buckets, tables, type BucketId, type TableId, type TableSpec } from '../../catalogue.ts';

/** The catalogue's tables and buckets. Stateful: retained when the stack is deleted. */
export class Data extends Construct {
  readonly tables: Record<TableId, Table>;
  readonly buckets: Record<BucketId, Bucket>;
  /** Receives the server access logs of the other buckets. */
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tables = Object.fromEntries(
      (Object.entries(tables) as [TableId, TableSpec][]).map(([tableId, spec]) => [tableId, this.table(tableId, spec)]),
    ) as Record<TableId, Table>;

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.buckets = Object.fromEntries(
      (Object.keys(buckets) as BucketId[]).map((bucketId) => [
        bucketId,
        new Bucket(this, `${pascal(bucketId)}Bucket`, {
          encryption: BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
          versioned: true,
          serverAccessLogsBucket: accessLogs,
          serverAccessLogsPrefix: `${bucketId}/`,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      ]),
    ) as Record<BucketId, Bucket>;
    this.accessLogs = accessLogs;
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

export function pascal(id: string): string {
  return id.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());
}
