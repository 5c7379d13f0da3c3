/**
 * Process mode: the worker dials the host's endpoint (a Unix socket) and opens the service
 * streams, presenting its id and token on each. Control and Logging share one HTTP/2
 * connection, which this thread opens. State and each direction of Data have a connection of
 * their own (FN_STREAM_CONNECTION), opened by the stream relay thread (stream-relay.ts), so that
 * this thread can block for a state read's answer and leaves moving batches through gRPC to the
 * other core; the connection that brings input batches in has a window that takes a whole batch.
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
import type { Elements, StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import { StreamRelay } from './stream-relay.ts';

/** The streams this thread opens itself, on the 'fn' connection; the others are the relay's. */
const OWN_STREAMS = ['control', 'logging'] as const;
type OwnStream = (typeof OWN_STREAMS)[number];

/** A received message's bytes as the Buffer that the generated decoders read. */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * @param relay the relay thread that carries State and Data; process-main.ts starts it early,
 *   while this thread loads the harness. Without one, a relay is started here, from source.
 */
export function connectGrpc(address: string, workerId: string, token: string, relay: StreamRelay = StreamRelay.start(null)): WorkerConnection {
  const metadata = new grpc.Metadata();
  metadata.set(WORKER_ID_METADATA, workerId);
  metadata.set(TOKEN_METADATA, token);
  // A connection of its own (grpc-js otherwise shares one per target).
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), { ...GRPC_CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 });
  const streams = {} as Record<OwnStream, FnChannel<never, never>>;
  for (const name of OWN_STREAMS) {
    const method = FN_METHODS[name] as unknown as {
      path: string;
      requestSerialize: (m: unknown) => Buffer;
      responseDeserialize: (b: Buffer) => unknown;
    };
    const call = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata);
    streams[name] = new GrpcStreamChannel<never, never>(call);
  }
  relay.dial({
    address,
    metadata: { [WORKER_ID_METADATA]: workerId, [TOKEN_METADATA]: token },
    options: GRPC_CHANNEL_OPTIONS,
    state: { path: FN_METHODS.state.path, options: {} },
    // What this worker receives: only the inputs connection carries batches this way.
    dataInputs: { path: FN_METHODS.dataInputs.path, options: { 'grpc-node.flow_control_window': DATA_FLOW_CONTROL_WINDOW } },
    dataOutputs: { path: FN_METHODS.dataOutputs.path, options: {} },
  });
  const state = new BlockingEncodedChannel<StateRequest, StateResponse>(
    relay.state,
    encodedBytes((request) => FN_METHODS.state.requestSerialize(request)),
    (bytes) => FN_METHODS.state.responseDeserialize(asBuffer(bytes)),
  );
  // Output batches leave as they are: the relay encodes them (its thread copies each batch into
  // its message), with their Arrow bytes moved to it.
  const data = new EncodedChannel<Elements, Elements, Elements>(
    relay.data,
    asTheyAre(),
    (bytes) => FN_METHODS.dataInputs.responseDeserialize(asBuffer(bytes)),
  );
  return {
    control: streams.control,
    data,
    state,
    logging: streams.logging,
    close: () => {
      for (const stream of Object.values(streams)) stream.close();
      state.close();
      data.close();
      client.close();
    },
  };
}
