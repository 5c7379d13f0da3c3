/**
 * Entry point of the stream relay thread of a worker process (worker/stream-relay.ts says why it
 * exists). It carries State and Data messages between its MessagePorts and gRPC streams, in order
 * each way: each received message as its bytes, each sent one as the main thread encoded it
 * (State) or encoded here (Data's batches). It rings the State port's signal after each response
 * so that a blocked main thread wakes. When a stream ends or fails, its port closes (State's
 * signal says so too); when the main thread closes a port, its streams are ended.
 *
 * Imports are kept to gRPC, the ports' classes and the Data encoder (protobuf's minimal runtime):
 * the thread is loaded at every worker start.
 */
import * as grpc from '@grpc/grpc-js';
import { parentPort, workerData } from 'node:worker_threads';
import { encodeAlignedElements } from '../shared/protocol/aligned-elements.ts';
import { SignallingPortChannel } from '../shared/protocol/blocking-port-channel.ts';
import type { FnChannel } from '../shared/protocol/channel.ts';
import type { Elements } from '../shared/protocol/messages.ts';
import { PortChannel } from '../shared/protocol/port-channel.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';
import { movableBytes } from './movable-bytes.ts';
import { dialOwnConnection } from './own-connection.ts';
import type { RelayedStream, StreamRelayTarget, StreamRelayWorkerData } from './stream-relay.ts';

/** A port as far as tying it to a stream goes: either may end the other. */
type Port = Pick<FnChannel<never, never>, 'close' | 'onClose'>;

const { statePort, dataPort, loggingPort, signal: signalBuffer, logReceived: logReceivedBuffer } = workerData as StreamRelayWorkerData;
const signal = new PortSignal(signalBuffer);
const state = new SignallingPortChannel<Uint8Array, Uint8Array>(statePort, signal);
const data = new PortChannel<Uint8Array, Elements>(dataPort);
const logging = new PortChannel<never, Uint8Array>(loggingPort);
// Rung once per log message the host has received (it answers each with an empty LogControl), so
// that the main thread can wait for its log to be out (worker/relayed-log-channel.ts) when it must:
// before it exits, before it answers the host.
const logReceived = new PortSignal(logReceivedBuffer);
// However this thread ends (an uncaught error included), a main thread blocked on the State port
// must learn that no answer will come, and one waiting for its log to be written too.
process.on('exit', () => {
  signal.close();
  logReceived.close();
});

parentPort?.once('message', (target: StreamRelayTarget) => relay(target));

function relay(target: StreamRelayTarget): void {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(target.metadata)) metadata.set(key, value);
  const open = (stream: RelayedStream, port: Port): grpc.ClientDuplexStream<Uint8Array, Buffer> => {
    const client = dialOwnConnection(target.address, { ...target.options, ...stream.options });
    const call = client.makeBidiStreamRequest(
      stream.path,
      (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      (bytes: Buffer) => bytes,
      metadata,
    );
    const ended = (): void => port.close();
    call.on('end', ended);
    call.on('error', ended);
    call.on('close', ended);
    port.onClose(() => {
      // Half-closes our side, so the host's end of the stream ends cleanly.
      if (!call.writableEnded) call.end();
      client.close();
    });
    return call;
  };

  const loggingCall = open(target.logging, logging);
  // Log entries cross the port one message at a time, as they were logged: a main thread busy in
  // a function (or about to exit) does not run its event loop to send them itself. Those that
  // arrive together (a function logging every record) leave as one write: LogEntries has only a
  // repeated field, so messages laid end to end are one message holding all their entries
  // (protobuf merges concatenated messages), and the host's one acknowledgement rings for each.
  let pendingLog: Uint8Array[] = [];
  const messagesPerWrite: number[] = [];
  const writeLog = (): void => {
    const parts = pendingLog;
    pendingLog = [];
    messagesPerWrite.push(parts.length);
    loggingCall.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  };
  logging.onMessage((bytes) => {
    // After the messages the port has queued now are taken: they are delivered in one go.
    if (pendingLog.length === 0) setImmediate(writeLog);
    pendingLog.push(bytes);
  });
  loggingCall.on('data', () => logReceived.ring(messagesPerWrite.shift() ?? 1));

  const stateCall = open(target.state, state);
  stateCall.on('data', moveTo(state));
  // Requests that came before the dial were held by the channel and go out first, in order.
  state.onMessage((bytes) => stateCall.write(bytes));

  // Not asked to carry Data: the main thread closes its end of the port itself.
  if (target.data === null) return;
  const inputs = open(target.data.inputs, data);
  const outputs = open(target.data.outputs, data);
  inputs.on('data', moveTo(data));
  // The host never writes on Outputs: a message there breaks the protocol, and ends Data.
  outputs.on('data', () => data.close());
  data.onMessage((elements) => outputs.write(encodeAlignedElements(elements)));
}

/** Hands each message a stream receives to the main thread over `port`, its bytes moved. */
function moveTo(port: Pick<FnChannel<Uint8Array, never>, 'send'>): (bytes: Buffer) => void {
  return (bytes) => {
    const own = movableBytes(bytes);
    port.send(own, [own.buffer as ArrayBuffer]);
  };
}
