import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BundledFiles, FunctionSpec } from '../../catalogue.ts';
import { bindAccess, type CatalogueResources } from './access.ts';

/** Catalogue entries are paths relative to the repository root. */
export const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');

export interface RepriseFunctionProps {
  /** The catalogue entry: handler module, timeout, memory and what it uses. */
  readonly spec: FunctionSpec;
  /** What the entry's `uses` resolve against: each becomes a grant and an env var. */
  readonly resources: CatalogueResources;
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Lowest level the function logs, for Lambda and Powertools alike.
   * @default ApplicationLogLevel.INFO
   */
  readonly logLevel?: ApplicationLogLevel;
}

/**
 * A Lambda function with Reprise's defaults carried once: Node 24 on ARM64,
 * an ESM bundle built by the local esbuild (never Docker) that includes the
 * AWS SDK it was tested with, minified with source maps, JSON logs into its own
 * log group, and a role that may write to that log group and nothing else
 * until the catalogue's `uses` add their grants (no AWS managed policies).
 */
export class RepriseFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: RepriseFunctionProps) {
    const { spec } = props;
    const logLevel = props.logLevel ?? ApplicationLogLevel.INFO;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Instead of AWSLambdaBasicExecutionRole, which may create any log group and write to all of them.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${spec.entry}`,
    });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));

    super(scope, id, {
      description: spec.entry,
      entry: resolve(repositoryRoot, spec.entry),
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: resolve(repositoryRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: logLevel,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'reprise',
        // Powertools 2.x reads POWERTOOLS_LOG_LEVEL (LOG_LEVEL is its deprecated alias); kept equal to Lambda's level.
        POWERTOOLS_LOG_LEVEL: logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Line numbers are what stack traces need; the sources themselves would triple the map.
        sourcesContent: false,
        // Bundle the AWS SDK too: the versions in package-lock.json are the ones tested.
        externalModules: [],
        // CommonJS dependencies call require(); an ESM bundle has none of its own.
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        ...(spec.files ? { commandHooks: bundledFilesHooks(spec.files) } : {}),
      },
    });

    for (const access of spec.uses) bindAccess(this, access, props.resources);
  }
}

/**
 * Builds the files before esbuild bundles the function (so a deploy never
 * ships a stale page) and copies them beside `index.mjs` afterwards. Runs in
 * the repository root, as local bundling does (`cdk synth` needs no Docker).
 */
export function bundledFilesHooks(files: BundledFiles): ICommandHooks {
  const quote = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
  return {
    beforeBundling: () => ['npm run --silent build'],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [`cp -R ${quote(join(inputDir, files.from))} ${quote(join(outputDir, files.into))}`],
  };
}
