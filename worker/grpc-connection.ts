/**
 * Process mode: the worker dials the host's endpoint (a Unix socket) and opens the service
 * streams, presenting its id and token on each. Control and Logging share one HTTP/2
 * connection; each direction of Data has one of its own (FN_STREAM_CONNECTION), and the one
 * that brings input batches in has a window that takes a whole batch. State is opened by the
 * state relay thread, on a connection of that thread's own (state-relay.ts), so that this
 * thread can block for a state read's answer.
 */
import * as grpc from '@grpc/grpc-js';
import type { FnChannel, WorkerConnection } from '../shared/protocol/channel.ts';
import { EncodedChannel } from '../shared/protocol/encoded-channel.ts';
import { GrpcStreamChannel } from '../shared/protocol/grpc-stream-channel.ts';
import type { FnConnectionName, FnStreamName } from '../shared/protocol/grpc-services.ts';
import {
  DATA_FLOW_CONTROL_WINDOW,
  FN_METHODS,
  FN_STREAM_CONNECTION,
  FN_STREAM_NAMES,
  GRPC_CHANNEL_OPTIONS,
  TOKEN_METADATA,
  WORKER_ID_METADATA,
} from '../shared/protocol/grpc-services.ts';
import { JoinedChannel } from '../shared/protocol/joined-channel.ts';
import type { StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import { StateRelay } from './state-relay.ts';

function dial(address: string, connection: FnConnectionName): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), {
    ...GRPC_CHANNEL_OPTIONS,
    // A connection of its own for each client (grpc-js otherwise shares one per target).
    'grpc.use_local_subchannel_pool': 1,
    // What this worker receives: only the inputs connection carries batches this way.
    ...(connection === 'inputs' ? { 'grpc-node.flow_control_window': DATA_FLOW_CONTROL_WINDOW } : {}),
  });
}

/**
 * @param stateRelay the relay thread that carries State; process-main.ts starts it early, while
 *   this thread loads the harness. Without one, a relay is started here, from source.
 */
export function connectGrpc(address: string, workerId: string, token: string, stateRelay: StateRelay = StateRelay.start(null)): WorkerConnection {
  const clients = new Map<FnConnectionName, grpc.Client>();
  const metadata = new grpc.Metadata();
  metadata.set(WORKER_ID_METADATA, workerId);
  metadata.set(TOKEN_METADATA, token);
  const streams = {} as Record<Exclude<FnStreamName, 'state'>, FnChannel<never, never>>;
  for (const name of FN_STREAM_NAMES) {
    if (name === 'state') continue;
    const connection = FN_STREAM_CONNECTION[name];
    let client = clients.get(connection);
    if (client === undefined) {
      client = dial(address, connection);
      clients.set(connection, client);
    }
    const method = FN_METHODS[name] as unknown as {
      path: string;
      requestSerialize: (m: unknown) => Buffer;
      responseDeserialize: (b: Buffer) => unknown;
    };
    const call = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata);
    streams[name] = new GrpcStreamChannel<never, never>(call);
  }
  stateRelay.dial({
    address,
    path: FN_METHODS.state.path,
    metadata: { [WORKER_ID_METADATA]: workerId, [TOKEN_METADATA]: token },
    options: GRPC_CHANNEL_OPTIONS,
  });
  const state = new EncodedChannel<StateRequest, StateResponse>(
    stateRelay.channel,
    (request) => FN_METHODS.state.requestSerialize(request),
    (bytes) => FN_METHODS.state.responseDeserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  );
  return {
    control: streams.control,
    data: new JoinedChannel<never, never>(streams.dataOutputs, streams.dataInputs),
    state,
    logging: streams.logging,
    close: () => {
      for (const stream of Object.values(streams)) stream.close();
      state.close();
      for (const client of clients.values()) client.close();
    },
  };
}
