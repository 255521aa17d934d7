import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { exitOf, stopChild, type EmulatorProcess } from './child-process.ts';

export interface FauxqsOptions {
  /** Persist here; in memory without it. */
  dataDir?: string;
  /** Listen on this port (default: any free port). */
  port?: number;
  /**
   * Queues whose messages in flight at start are made visible at once: the
   * consumer that held them was the platform process that stopped, so they
   * need not wait out their visibility timeout.
   */
  releaseInFlight?: readonly string[];
}

/**
 * Starts fauxqs (SQS and S3 API) in a child process of its own, so that the
 * emulator's work (a ListObjectsV2 page sorts the whole prefix) never blocks
 * the handlers' event loop, and S3 and SQS each get a process. It listens on
 * 127.0.0.1 only (`listenHost`, which patches/fauxqs+2.4.1.patch adds), on
 * `port` when given (a restart keeps its endpoint), and stops when the
 * platform that started it is gone (its IPC channel closes).
 */
export function startFauxqsProcess({ dataDir, port, releaseInFlight = [] }: FauxqsOptions = {}): Promise<EmulatorProcess> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const args = [
    resolve(import.meta.dirname, 'fauxqs-server.mjs'),
    '--host',
    '127.0.0.1',
    ...(port ? ['--port', String(port)] : []),
    ...(dataDir ? ['--data-dir', dataDir] : []),
    ...(releaseInFlight.length ? ['--release-in-flight', releaseInFlight.join(',')] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const exited = exitOf(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  return new Promise((resolveStart, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      const endpoint = (JSON.parse(line) as { address: string }).address;
      resolveStart({ endpoint, port: Number(new URL(endpoint).port), pid: child.pid, exited, stop: () => stopChild(child) });
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    void exited.then(({ code }) => reject(new Error(`fauxqs exited with code ${code} before it was ready${stderr ? `: ${lastLine(stderr)}` : ''}`)));
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
