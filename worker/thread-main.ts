/**
 * Entry point of a worker thread (thread mode). The host passes four MessagePorts, one per
 * service, and the State port's doorbell; everything else is the same harness as in process mode.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { BlockingPortChannel } from '../shared/protocol/blocking-port-channel.ts';
import type { WorkerConnection } from '../shared/protocol/channel.ts';
import { PortChannel } from '../shared/protocol/port-channel.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';
import { THREAD_READY } from '../shared/protocol/thread-ready.ts';
import { loadFunction } from './function-loader.ts';
import { FnHarness } from './harness.ts';

interface ThreadWorkerData {
  workerId: string;
  /** udf.thread.spin-time (ms): Control, Data and State poll for the host's answer this long. */
  spinMs: number;
  /** The State port's doorbell (PortSignal), rung by the host after each answer. */
  stateSignal: SharedArrayBuffer;
  ports: { control: MessagePort; data: MessagePort; state: MessagePort; logging: MessagePort };
}

const { workerId, spinMs, stateSignal, ports } = workerData as ThreadWorkerData;
const connection: WorkerConnection = {
  control: new PortChannel(ports.control, spinMs),
  data: new PortChannel(ports.data, spinMs),
  state: new BlockingPortChannel(ports.state, new PortSignal(stateSignal), spinMs),
  logging: new PortChannel(ports.logging),
  close: () => {
    for (const port of Object.values(ports)) port.close();
  },
};
new FnHarness(connection, {
  workerId,
  loadFunction,
  captureConsole: true,
  onShutdown: () => connection.close(),
});
// Loaded and listening: the host counts the worker as started from here (thread-launcher.ts).
parentPort?.postMessage(THREAD_READY);
