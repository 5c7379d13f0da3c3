/**
 * Entry point of a worker process (process mode). The host starts it with execa and passes:
 *   SLUICE_ENDPOINT   the host's gRPC address (unix:///…)
 *   SLUICE_WORKER_ID  this worker's id
 *   SLUICE_TOKEN      the secret this worker presents on every call
 * The worker exits when the host asks it to, or when its Control stream ends for any other
 * reason (the host died): a worker never outlives its host.
 */
import { connectGrpc } from './grpc-connection.ts';
import { loadFunction } from './function-loader.ts';
import { FnHarness } from './harness.ts';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`sluice worker: ${name} is not set; workers are started by the Sluice host\n`);
    process.exit(2);
  }
  return value;
}

const workerId = required('SLUICE_WORKER_ID');
const connection = connectGrpc(required('SLUICE_ENDPOINT'), workerId, required('SLUICE_TOKEN'));
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
