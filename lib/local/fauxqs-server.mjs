// Runs one fauxqs emulator in its own process (plain JavaScript: no loader
// needed to start it). Usage: node fauxqs-server.mjs [dataDir]
//   REPRISE_FAUXQS_PORT         port to listen on (default: any free port)
//   REPRISE_RELEASE_IN_FLIGHT   comma-separated queue names whose in-flight messages are made
//                               visible again before the emulator loads them (their consumer
//                               was the platform process that stopped)
// Prints {"address": "http://127.0.0.1:<port>"} once listening; stops on SIGTERM/SIGINT.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startFauxqs } from 'fauxqs';

const dataDir = process.argv[2];
const release = (process.env.REPRISE_RELEASE_IN_FLIGHT ?? '').split(',').filter(Boolean);
const database = dataDir ? join(dataDir, 'fauxqs.db') : undefined;
if (database && release.length && existsSync(database)) {
  // fauxqs 2.4.1 keeps an in-flight message's visibility deadline in sqs_messages; one already past
  // makes it load the message as visible (and clear its receipt handle).
  const db = new DatabaseSync(database);
  db.prepare(`UPDATE sqs_messages SET visibility_deadline = 1 WHERE receipt_handle IS NOT NULL AND queue_name IN (${release.map(() => '?').join(', ')})`).run(...release);
  db.close();
}

const server = await startFauxqs({ port: Number(process.env.REPRISE_FAUXQS_PORT ?? 0), logger: false, ...(dataDir ? { dataDir } : {}) });
process.stdout.write(`${JSON.stringify({ address: server.address })}\n`);

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
