/**
 * gRPC method definitions of the four services, built from the generated protobuf codecs.
 * grpc-js takes serializers per method; both the host's server and the worker's client use
 * these, so the wire format is defined in exactly one place (proto/).
 */
import { encodeAlignedElements } from './aligned-elements.ts';
import { fnProto, type Elements } from './messages.ts';

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

/** Data's messages: the generated decoder, an encoder that aligns the Arrow bytes for the receiver. */
const ELEMENTS: Codec<Elements> = {
  encode: (message) => ({ finish: () => encodeAlignedElements(message) }),
  decode: (bytes) => fnProto.Elements.decode(bytes),
};

/**
 * The streams a worker opens, one call each. Requests flow worker → host (the worker is the gRPC
 * client), responses host → worker. Data has a stream per direction (proto/data.proto).
 */
export const FN_METHODS = {
  control: bidi('Control', 'Control', fnProto.InstructionResponse, fnProto.InstructionRequest),
  dataInputs: bidi('Data', 'Inputs', ELEMENTS, ELEMENTS),
  dataOutputs: bidi('Data', 'Outputs', ELEMENTS, ELEMENTS),
  state: bidi('State', 'State', fnProto.StateRequest, fnProto.StateResponse),
  logging: bidi('Logging', 'Logging', fnProto.LogEntries, fnProto.LogControl),
};

export type FnStreamName = keyof typeof FN_METHODS;
export const FN_STREAM_NAMES = Object.keys(FN_METHODS) as FnStreamName[];

export type FnConnectionName = 'fn' | 'inputs' | 'outputs' | 'state' | 'logging';

/**
 * Which HTTP/2 connection each stream travels on. Each direction of Data has a connection of its
 * own, so that data flows one way on it and its window can be large (below). State and Logging
 * have one each too. The worker's stream relay thread opens State, Logging and Data
 * (worker/stream-relay.ts), so that the worker's main thread can block for a state read's answer,
 * its log leaves while it is busy in a function, and gRPC's share of moving batches is done on
 * another core; the main thread opens 'fn' (Control).
 */
export const FN_STREAM_CONNECTION: Record<FnStreamName, FnConnectionName> = {
  control: 'fn',
  dataInputs: 'inputs',
  dataOutputs: 'outputs',
  state: 'state',
  logging: 'logging',
};

export const WORKER_ID_METADATA = 'sluice-worker-id';
export const TOKEN_METADATA = 'sluice-token';

/** Channel options both ends use: batches can be large, and the socket is local. */
export const GRPC_CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
} as const;

/**
 * The HTTP/2 flow-control window (connection and stream) the receiving side of a Data
 * connection advertises: the worker on `inputs`, the host on its sessions. With the default
 * 64 KiB a batch larger than that stops mid-message until the receiver has handed the first
 * part to JavaScript and its WINDOW_UPDATE has come back, which a busy receiver delays; with a
 * whole batch's room it does not (benchmarks/RESULTS.md, fifth round).
 *
 * Such a window is safe only where data flows one way. Node's HTTP/2 session stops reading its
 * socket while one of its own writes is in progress; if both ends of one connection may have
 * more outstanding than the Unix socket buffers (212,992 bytes by default on Linux), both
 * writes wait for a read that neither end makes, and the connection stalls. On `inputs` and
 * `outputs` one end sends only frames of a few bytes; on `fn` the host's responses stay under
 * the worker's default window.
 */
export const DATA_FLOW_CONTROL_WINDOW = 1 << 20;
