/**
 * Process mode: the worker dials the host's endpoint (a Unix socket) and opens the service
 * streams, presenting its id and token on each. Control has an HTTP/2 connection, which this
 * thread opens. State, Logging and each direction of Data have a connection of their own
 * (FN_STREAM_CONNECTION). The stream relay thread (stream-relay.ts) opens State, so that this
 * thread can block for a state read's answer, Logging, so that a log entry leaves while this
 * thread is busy in a function (or exiting), and by default Data too, leaving the
 * work of moving batches through gRPC to another core (udf.process.data-thread; off, this
 * thread opens Data itself). The connection that brings input batches in has a window that
 * takes a whole batch.
 */
import * as grpc from '@grpc/grpc-js';
import type { FnChannel, WorkerConnection } from '../shared/protocol/channel.ts';
import { asTheyAre, BlockingEncodedChannel, EncodedChannel, encodedBytes } from '../shared/protocol/encoded-channel.ts';
import { GrpcStreamChannel } from '../shared/protocol/grpc-stream-channel.ts';
import {
  DATA_FLOW_CONTROL_WINDOW,
  FN_METHODS,
  GRPC_CHANNEL_OPTIONS,
  TOKEN_METADATA,
  WORKER_ID_METADATA,
} from '../shared/protocol/grpc-services.ts';
import { JoinedChannel } from '../shared/protocol/joined-channel.ts';
import type { Elements, StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import { dialOwnConnection } from './own-connection.ts';
import { RelayedLogChannel } from './relayed-log-channel.ts';
import { StreamRelay } from './stream-relay.ts';

/** A received message's bytes as the Buffer that the generated decoders read. */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** What opening a call needs of a method (grpc-services.ts), its message types aside. */
interface Method {
  path: string;
  requestSerialize: (message: unknown) => Buffer;
  responseDeserialize: (bytes: Buffer) => unknown;
}

export interface GrpcConnectOptions {
  /** The relay thread; process-main.ts starts it early, while this thread loads the harness. Default: one started here, from source. */
  relay?: StreamRelay;
  /** udf.process.data-thread (default true): Data through the relay thread; false: on this thread's own connections. */
  dataThread?: boolean;
}

export function connectGrpc(address: string, workerId: string, token: string, options: GrpcConnectOptions = {}): WorkerConnection {
  const relay = options.relay ?? StreamRelay.start(null);
  const dataThread = options.dataThread ?? true;
  const metadata = new grpc.Metadata();
  metadata.set(WORKER_ID_METADATA, workerId);
  metadata.set(TOKEN_METADATA, token);
  const clients: grpc.Client[] = [];
  const dial = (connectionOptions: Record<string, number> = {}): grpc.Client => {
    const client = dialOwnConnection(address, { ...GRPC_CHANNEL_OPTIONS, ...connectionOptions });
    clients.push(client);
    return client;
  };
  // Typed by what it is assigned to: the method's message types are the stream's.
  const open = (client: grpc.Client, method: unknown): FnChannel<never, never> => {
    const { path, requestSerialize, responseDeserialize } = method as Method;
    return new GrpcStreamChannel<never, never>(client.makeBidiStreamRequest(path, requestSerialize, responseDeserialize, metadata));
  };
  // Control alone on the 'fn' connection (FN_STREAM_CONNECTION).
  const fn = dial();
  const control: WorkerConnection['control'] = open(fn, FN_METHODS.control);

  // What this worker receives: only the inputs connection carries batches this way.
  const inputsOptions = { 'grpc-node.flow_control_window': DATA_FLOW_CONTROL_WINDOW };
  relay.dial({
    address,
    metadata: { [WORKER_ID_METADATA]: workerId, [TOKEN_METADATA]: token },
    options: GRPC_CHANNEL_OPTIONS,
    state: { path: FN_METHODS.state.path, options: {} },
    logging: { path: FN_METHODS.logging.path, options: {} },
    data: dataThread
      ? { inputs: { path: FN_METHODS.dataInputs.path, options: inputsOptions }, outputs: { path: FN_METHODS.dataOutputs.path, options: {} } }
      : null,
  });
  const state = new BlockingEncodedChannel<StateRequest, StateResponse>(
    relay.state,
    encodedBytes((request) => FN_METHODS.state.requestSerialize(request)),
    (bytes) => FN_METHODS.state.responseDeserialize(asBuffer(bytes)),
  );
  const logging = new RelayedLogChannel(relay.logging, relay.logReceived, (entries) => FN_METHODS.logging.requestSerialize(entries));
  let data: WorkerConnection['data'];
  if (dataThread) {
    // Output batches leave as they are: the relay encodes them (its thread copies each batch into
    // its message), with their Arrow bytes moved to it.
    data = new EncodedChannel<Elements, Elements, Elements>(relay.data, asTheyAre(), (bytes) => FN_METHODS.dataInputs.responseDeserialize(asBuffer(bytes)));
  } else {
    relay.data.close();
    data = new JoinedChannel<never, never>(open(dial(), FN_METHODS.dataOutputs), open(dial(inputsOptions), FN_METHODS.dataInputs));
  }
  return {
    control,
    data,
    state,
    logging,
    close: () => {
      control.close();
      logging.close();
      state.close();
      data.close();
      for (const client of clients) client.close();
    },
  };
}
