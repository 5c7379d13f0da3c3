/**
 * Entry point of the state relay thread of a worker process (worker/state-relay.ts says why it
 * exists). It carries encoded State messages between its MessagePort and one gRPC State stream,
 * in order both ways, and rings the port's signal after each response so that a blocked main
 * thread wakes. When the stream ends or fails, the port closes (the signal says so too); when
 * the main thread closes the port, the stream is ended.
 *
 * Imports are kept to gRPC and the port's classes: the thread is loaded at every worker start.
 */
import * as grpc from '@grpc/grpc-js';
import { parentPort, workerData } from 'node:worker_threads';
import { SignallingPortChannel } from '../shared/protocol/blocking-port-channel.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';
import type { StateRelayTarget, StateRelayWorkerData } from './state-relay.ts';

const { port, signal: signalBuffer } = workerData as StateRelayWorkerData;
const signal = new PortSignal(signalBuffer);
const channel = new SignallingPortChannel<Uint8Array, Uint8Array>(port, signal);
// However this thread ends (an uncaught error included), a main thread blocked on the port must
// learn that no answer will come.
process.on('exit', () => signal.close());

parentPort?.once('message', (target: StateRelayTarget) => relay(target));

function relay(target: StateRelayTarget): void {
  const client = new grpc.Client(target.address, grpc.credentials.createInsecure(), target.options);
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(target.metadata)) metadata.set(key, value);
  const call = client.makeBidiStreamRequest(
    target.path,
    (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    (bytes: Buffer) => bytes,
    metadata,
  );
  call.on('data', (bytes: Buffer) => {
    // Copied out of gRPC's read buffer into one of its own, which then moves to the main thread.
    const own = new Uint8Array(bytes);
    channel.send(own, [own.buffer]);
  });
  call.on('end', () => channel.close());
  call.on('error', () => channel.close());
  call.on('close', () => channel.close());
  // Requests that came before the dial were held by the channel and go out first, in order.
  channel.onMessage((bytes) => call.write(bytes));
  channel.onClose(() => {
    // Half-closes our side, so the host's end of the stream ends cleanly.
    if (!call.writableEnded) call.end();
    client.close();
  });
}
