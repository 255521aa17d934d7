// Runs one fauxqs emulator in its own process (plain JavaScript: no loader
// needed to start it). Usage:
//   node fauxqs-server.mjs [--data-dir DIR] [--port N] [--host H] [--release-in-flight q1,q2]
// Listens on H (default 127.0.0.1, through the listenHost option patches/ adds)
// and port N (default: a free one). --release-in-flight names queues whose
// in-flight messages are made visible again before the emulator loads them
// (their consumer was the platform process that stopped).
// Prints {"address": "http://127.0.0.1:<port>"} once listening; stops on
// SIGTERM/SIGINT, or when the platform that started it is gone.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { startFauxqs } from 'fauxqs';

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'release-in-flight': { type: 'string' } },
});
const dataDir = values['data-dir'];
const release = (values['release-in-flight'] ?? '').split(',').filter(Boolean);
const database = dataDir ? join(dataDir, 'fauxqs.db') : undefined;
if (database && release.length && existsSync(database)) {
  // fauxqs 2.4.1 keeps an in-flight message's visibility deadline in sqs_messages; one already past
  // makes it load the message as visible (and clear its receipt handle).
  const db = new DatabaseSync(database);
  db.prepare(`UPDATE sqs_messages SET visibility_deadline = 1 WHERE receipt_handle IS NOT NULL AND queue_name IN (${release.map(() => '?').join(', ')})`).run(...release);
  db.close();
}

const server = await startFauxqs({
  port: Number(values.port ?? 0),
  listenHost: values.host ?? '127.0.0.1',
  logger: false,
  ...(dataDir ? { dataDir } : {}),
});
process.stdout.write(`${JSON.stringify({ address: `http://127.0.0.1:${server.port}` })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The platform that started this process is gone: stop too.
process.on('disconnect', stop);
