import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '../../lib/local/wait-for.ts';
import type { EndpointsFile } from '../../lib/local/platform.ts';

const root = resolve(import.meta.dirname, '..', '..');

export interface LocalProcess {
  child: ChildProcess;
  endpoints: EndpointsFile;
  output: () => string;
  /** Ctrl-C to the whole process group, as a terminal sends it; resolves when npm has exited. */
  interrupt(): Promise<void>;
  /** SIGKILL to the whole process group (platform and emulators), as a crash or an OOM kill; resolves once its ports are closed. */
  kill(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'reprise-e2e-'));
}

/**
 * Runs `npm start` as a newcomer would, in its own process group, on a free
 * port, and waits until it answers `/health`.
 */
export async function startLocalProcess(dataDir: string, env: Record<string, string> = {}): Promise<LocalProcess> {
  const endpointsFile = join(dataDir, 'endpoints.json');
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));

  const endpoints = await waitFor(
    `npm start to come up (output so far: ${output})`,
    async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${output}`);
      if (!existsSync(endpointsFile)) return undefined;
      const parsed = JSON.parse(readFileSync(endpointsFile, 'utf8')) as EndpointsFile;
      // endpoints.json from an earlier run may still be there: wait for this run's.
      if (!parsed.api || !output.includes(parsed.api)) return undefined;
      const health = await fetch(`${parsed.api}/health`);
      return health.status === 200 ? parsed : undefined;
    },
    90_000,
    200,
  );
  return {
    child,
    endpoints,
    output: () => output,
    async interrupt() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      await exited;
      const addresses = [endpoints.api!, endpoints.dynamodb, endpoints.sqs, endpoints.s3];
      await waitFor('the killed platform to release its ports', async () => (await Promise.all(addresses.map(isClosed))).every(Boolean), 10_000, 50);
    },
  };
}

/** Whether nothing accepts a connection at `address` (`http://host:port`). */
export function isClosed(address: string): Promise<boolean> {
  const { hostname, port } = new URL(address);
  return new Promise((resolveClosed) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolveClosed(false);
    });
    socket.once('error', () => resolveClosed(true));
  });
}

/** Runs an npm script to completion and returns its stdout. */
export function runNpm(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn('npm', args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolveRun({ code, stdout, stderr }));
  });
}
