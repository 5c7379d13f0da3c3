/**
 * gRPC method definitions of the four services, built from the generated protobuf codecs.
 * grpc-js takes serializers per method; both the host's server and the worker's client use
 * these, so the wire format is defined in exactly one place (proto/).
 */
import { fnProto } from './messages.ts';

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

export interface BidiMethod<Req, Res> {
  path: string;
  requestStream: true;
  responseStream: true;
  requestSerialize: (message: Req) => Buffer;
  requestDeserialize: (bytes: Buffer) => Req;
  responseSerialize: (message: Res) => Buffer;
  responseDeserialize: (bytes: Buffer) => Res;
  originalName?: string;
}

function serializer<T>(codec: Codec<T>): (message: T) => Buffer {
  return (message) => {
    const bytes = codec.encode(message).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer<T>(codec: Codec<T>): (bytes: Buffer) => T {
  return (bytes) => codec.decode(bytes);
}

function bidi<Req, Res>(service: string, method: string, req: Codec<Req>, res: Codec<Res>): BidiMethod<Req, Res> {
  return {
    path: `/sluice.fn.v1.${service}/${method}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: serializer(req),
    requestDeserialize: deserializer(req),
    responseSerialize: serializer(res),
    responseDeserialize: deserializer(res),
    originalName: method,
  };
}

/** Requests flow worker → host (the worker is the gRPC client), responses host → worker. */
export const FN_METHODS = {
  control: bidi('Control', 'Control', fnProto.InstructionResponse, fnProto.InstructionRequest),
  data: bidi('Data', 'Data', fnProto.Elements, fnProto.Elements),
  state: bidi('State', 'State', fnProto.StateRequest, fnProto.StateResponse),
  logging: bidi('Logging', 'Logging', fnProto.LogEntries, fnProto.LogControl),
};

export const WORKER_ID_METADATA = 'sluice-worker-id';
export const TOKEN_METADATA = 'sluice-token';

/**
 * Channel options both ends use: batches can be large, and the socket is local.
 *
 * The HTTP/2 flow-control windows stay at their default (64 KiB) on purpose. Node's HTTP/2
 * session stops reading its socket while one of its own writes is in progress; if both ends
 * may have more data outstanding than the Unix socket buffers (212,992 bytes by default on
 * Linux), both writes wait for a read that neither end makes, and the connection stalls.
 * Windows of 128 KiB (safe) were measured and moved no benchmark (benchmarks/RESULTS.md).
 */
export const GRPC_CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
} as const;
