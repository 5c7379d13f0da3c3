/**
 * The host's gRPC endpoint: one server per job, on a Unix domain socket in a directory only the
 * host's user can open (mode 0700, socket 0600). Each worker presents its id and the per-worker
 * token the host gave it; a call without the right token is refused with UNAUTHENTICATED and
 * never reaches the protocol.
 *
 *   worker                              host endpoint
 *    |-- Control(metadata: id, token) -->|  token checked, call attached to worker `id`
 *    |-- Data Inputs, Data Outputs ----->|  same check for each stream
 *    |-- State, Logging ---------------->|
 *    |                                   |  all five attached: the worker's HostConnection resolves
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Http2Server, Http2Session } from 'node:http2';
import type { FnChannel, HostConnection } from '../../shared/protocol/channel.ts';
import { GrpcStreamChannel } from '../../shared/protocol/grpc-stream-channel.ts';
import type { FnStreamName } from '../../shared/protocol/grpc-services.ts';
import {
  DATA_FLOW_CONTROL_WINDOW,
  FN_METHODS,
  FN_STREAM_NAMES,
  GRPC_CHANNEL_OPTIONS,
  TOKEN_METADATA,
  WORKER_ID_METADATA,
} from '../../shared/protocol/grpc-services.ts';
import { JoinedChannel } from '../../shared/protocol/joined-channel.ts';
import type { Logger } from '../log.ts';

/** HTTP/2's initial flow-control window (RFC 9113), what a session keeps unless told otherwise. */
const HTTP2_DEFAULT_WINDOW = 65_535;

interface ExpectedWorker {
  token: Buffer;
  channels: Partial<Record<FnStreamName, FnChannel<unknown, unknown>>>;
  resolve: (connection: HostConnection) => void;
  connected: boolean;
}

export class GrpcEndpoint {
  private readonly expected = new Map<string, ExpectedWorker>();
  private refusedCount = 0;
  private window = HTTP2_DEFAULT_WINDOW;

  private constructor(
    private readonly server: grpc.Server,
    private readonly dir: string,
    readonly address: string,
    private readonly log: Logger,
  ) {}

  static async start(log: Logger): Promise<GrpcEndpoint> {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-'));
    const socketPath = join(dir, 'fn.sock');
    const address = `unix://${socketPath}`;
    const server = new grpc.Server({ ...GRPC_CHANNEL_OPTIONS, 'grpc-node.max_session_memory': 1024 });
    const endpoint = new GrpcEndpoint(server, dir, address, log);
    const service: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const name of FN_STREAM_NAMES) {
      service[name] = FN_METHODS[name] as unknown as grpc.MethodDefinition<unknown, unknown>;
      handlers[name] = (call: grpc.ServerDuplexStream<unknown, unknown>) => endpoint.accept(name, call);
    }
    server.addService(service as grpc.ServiceDefinition, handlers);
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
    });
    await chmod(socketPath, 0o600);
    endpoint.window = widenReceiveWindows(server, DATA_FLOW_CONTROL_WINDOW);
    if (endpoint.window !== DATA_FLOW_CONTROL_WINDOW) {
      log.warn('the gRPC server keeps its HTTP/2 sessions out of reach: workers send with the default 64 KiB window');
    }
    return endpoint;
  }

  /** Registers a worker about to start; returns the token to give it and its connection. */
  expectWorker(workerId: string): { token: string; connection: Promise<HostConnection> } {
    const token = randomBytes(24).toString('base64url');
    let resolve!: (connection: HostConnection) => void;
    const connection = new Promise<HostConnection>((r) => (resolve = r));
    this.expected.set(workerId, { token: Buffer.from(token), channels: {}, resolve, connected: false });
    return { token, connection };
  }

  /** Forgets a worker: later calls with its id are refused. */
  forget(workerId: string): void {
    this.expected.delete(workerId);
  }

  /** The HTTP/2 receive window (bytes) the host advertises to workers. */
  get receiveWindow(): number {
    return this.window;
  }

  /** How many calls were refused (wrong or missing credentials). */
  get refused(): number {
    return this.refusedCount;
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
    await rm(this.dir, { recursive: true, force: true });
  }

  private accept(service: FnStreamName, call: grpc.ServerDuplexStream<unknown, unknown>): void {
    const workerId = String(call.metadata.get(WORKER_ID_METADATA)[0] ?? '');
    const token = Buffer.from(String(call.metadata.get(TOKEN_METADATA)[0] ?? ''));
    const worker = this.expected.get(workerId);
    if (worker === undefined || worker.token.length !== token.length || !timingSafeEqual(worker.token, token)) {
      this.refusedCount++;
      this.log.warn(`refused a ${service} call that presented worker id '${workerId}' with a wrong or missing token`);
      call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'unknown worker or wrong token' });
      return;
    }
    if (worker.channels[service] !== undefined || worker.connected) {
      this.refusedCount++;
      this.log.warn(`refused a second ${service} call from worker ${workerId}`);
      call.emit('error', { code: grpc.status.ALREADY_EXISTS, details: `worker ${workerId} already has a ${service} stream` });
      return;
    }
    worker.channels[service] = new GrpcStreamChannel<unknown, unknown>(call);
    // Each log message is acknowledged once it is here (after the channel has taken it): a worker
    // that is about to exit, or to answer an instruction, waits for its log to be out
    // (worker/relayed-log-channel.ts).
    if (service === 'logging') call.on('data', () => call.write({}));
    if (FN_STREAM_NAMES.every((s) => worker.channels[s] !== undefined)) {
      worker.connected = true;
      const ch = worker.channels as Record<FnStreamName, FnChannel<never, never>>;
      worker.resolve({
        control: ch.control,
        data: new JoinedChannel<never, never>(ch.dataInputs, ch.dataOutputs),
        state: ch.state,
        logging: ch.logging,
        close: () => {
          for (const s of FN_STREAM_NAMES) ch[s].close();
        },
      });
    }
  }
}

/**
 * Makes every HTTP/2 session the server accepts advertise `bytes` as its receive window (stream
 * and connection), so that an output batch does not stop mid-message for a WINDOW_UPDATE
 * (DATA_FLOW_CONTROL_WINDOW says why this is safe). grpc-js has no server option for it, so
 * this reaches for the HTTP/2 servers it keeps in a private field; if a grpc-js version keeps
 * them elsewhere, nothing changes and the default window is returned.
 */
function widenReceiveWindows(server: grpc.Server, bytes: number): number {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map) || http2Servers.size === 0) return HTTP2_DEFAULT_WINDOW;
  for (const http2Server of http2Servers.keys() as IterableIterator<Http2Server>) {
    http2Server.on('session', (session: Http2Session) => {
      session.settings({ initialWindowSize: bytes });
      session.setLocalWindowSize(bytes);
    });
  }
  return bytes;
}
