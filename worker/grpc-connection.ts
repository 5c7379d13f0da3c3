/**
 * Process mode: the worker dials the host's endpoint (a Unix socket) and opens the four
 * service streams, presenting its id and token on each.
 */
import * as grpc from '@grpc/grpc-js';
import type { FnChannel, ServiceName, WorkerConnection } from '../shared/protocol/channel.ts';
import { SERVICE_NAMES } from '../shared/protocol/channel.ts';
import { GrpcStreamChannel } from '../shared/protocol/grpc-stream-channel.ts';
import { FN_METHODS, GRPC_CHANNEL_OPTIONS, TOKEN_METADATA, WORKER_ID_METADATA } from '../shared/protocol/grpc-services.ts';

export function connectGrpc(address: string, workerId: string, token: string): WorkerConnection {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  const metadata = new grpc.Metadata();
  metadata.set(WORKER_ID_METADATA, workerId);
  metadata.set(TOKEN_METADATA, token);
  const channels = {} as Record<ServiceName, FnChannel<never, never>>;
  for (const name of SERVICE_NAMES) {
    const method = FN_METHODS[name] as unknown as {
      path: string;
      requestSerialize: (m: unknown) => Buffer;
      responseDeserialize: (b: Buffer) => unknown;
    };
    const call = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata);
    channels[name] = new GrpcStreamChannel<never, never>(call);
  }
  return {
    control: channels.control,
    data: channels.data,
    state: channels.state,
    logging: channels.logging,
    close: () => {
      for (const name of SERVICE_NAMES) channels[name].close();
      client.close();
    },
  };
}
