/**
 * A gRPC client on an HTTP/2 connection of its own: grpc-js otherwise shares one connection per
 * target among its clients, and each of a worker's connections (FN_STREAM_CONNECTION) must be
 * apart. Used by the worker's main thread and by its stream relay thread, which imports little
 * else (it starts at every worker start).
 */
import * as grpc from '@grpc/grpc-js';

export function dialOwnConnection(address: string, options: Record<string, number>): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), { ...options, 'grpc.use_local_subchannel_pool': 1 });
}
