import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { stopChild } from './child-process.ts';

export interface EmulatorProcess {
  address: string;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs (SQS and S3 API) in a child process of its own, so that the
 * emulator's work (a ListObjectsV2 page sorts the whole prefix) never blocks
 * the handlers' event loop, and S3 and SQS each get a process.
 */
export function startFauxqsProcess(dataDir?: string): Promise<EmulatorProcess> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'fauxqs-server.mjs'), ...(dataDir ? [dataDir] : [])], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  return new Promise((resolveStart, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      child.stdout?.off('data', onData);
      resolveStart({ address: (JSON.parse(line) as { address: string }).address, stop: () => stopChild(child) });
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fauxqs exited with code ${code} before it was ready`)));
  });
}
