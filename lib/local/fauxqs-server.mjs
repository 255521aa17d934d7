// Runs one fauxqs emulator in its own process (plain JavaScript: no loader
// needed to start it). Usage: node fauxqs-server.mjs [dataDir]
// Prints {"address": "http://127.0.0.1:<port>"} once listening; stops on SIGTERM/SIGINT.
import { startFauxqs } from 'fauxqs';

const dataDir = process.argv[2];
const server = await startFauxqs({ port: 0, logger: false, ...(dataDir ? { dataDir } : {}) });
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
