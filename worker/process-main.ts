/**
 * Entry point of a worker process (process mode). The host starts it with execa and passes:
 *   SLUICE_ENDPOINT      the host's gRPC address (unix:///…)
 *   SLUICE_WORKER_ID     this worker's id
 *   SLUICE_TOKEN         the secret this worker presents on every call
 *   SLUICE_WORKER_BUILD  the build it runs from (host/workers/worker-build.ts); empty: from source
 *   SLUICE_DATA_THREAD   '0': Data on this thread's own streams (udf.process.data-thread off)
 * The worker exits when the host asks it to, or when its Control stream ends for any other
 * reason (the host died): a worker never outlives its host.
 */
import { StreamRelay } from './stream-relay.ts';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`sluice worker: ${name} is not set; workers are started by the Sluice host\n`);
    process.exit(2);
  }
  return value;
}

const workerId = required('SLUICE_WORKER_ID');
const address = required('SLUICE_ENDPOINT');
const token = required('SLUICE_TOKEN');
const build = JSON.parse(process.env['SLUICE_WORKER_BUILD'] || 'null') as { dir: string } | null;
// Started before the harness is loaded (the imports below), so that the relay thread loads gRPC
// on another core meanwhile: the host counts the worker as connected only once every stream,
// the relay's State and Data included, is open.
const relay = StreamRelay.start(build?.dir ?? null);
const [{ connectGrpc }, { loadFunction }, { FnHarness }] = await Promise.all([
  import('./grpc-connection.ts'),
  import('./function-loader.ts'),
  import('./harness.ts'),
]);

// A terminal's Ctrl-C reaches the whole process group, this worker included. The host, which
// gets it too, cancels the job, asks this worker to close its functions and then kills it; left
// to its default, the signal would end the worker before they were closed. A worker whose host
// is gone still exits when its Control stream ends (below), and SIGTERM still ends it.
process.on('SIGINT', () => undefined);
const connection = connectGrpc(address, workerId, token, { relay, dataThread: process.env['SLUICE_DATA_THREAD'] !== '0' });
let shuttingDown = false;
new FnHarness(connection, {
  workerId,
  loadFunction,
  captureConsole: true,
  onShutdown: () => {
    shuttingDown = true;
    connection.close();
    setImmediate(() => process.exit(0));
  },
});
connection.control.onClose((error) => {
  if (shuttingDown) return;
  process.stderr.write(`sluice worker ${workerId}: control stream ended${error ? `: ${error.message}` : ''}; exiting\n`);
  process.exit(error ? 3 : 0);
});
