/**
 * The host's gRPC endpoint: one server per job, on a Unix domain socket in a directory only the
 * host's user can open (mode 0700, socket 0600). Each worker presents its id and the per-worker
 * token the host gave it; a call without the right token is refused with UNAUTHENTICATED and
 * never reaches the protocol.
 *
 *   worker                              host endpoint
 *    |-- Control(metadata: id, token) -->|  token checked, call attached to worker `id`
 *    |-- Data / State / Logging -------->|  same check for each service
 *    |                                   |  all four attached: the worker's HostConnection resolves
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { FnChannel, HostConnection, ServiceName } from '../../shared/protocol/channel.ts';
import { SERVICE_NAMES } from '../../shared/protocol/channel.ts';
import { GrpcStreamChannel } from '../../shared/protocol/grpc-stream-channel.ts';
import { FN_METHODS, GRPC_CHANNEL_OPTIONS, TOKEN_METADATA, WORKER_ID_METADATA } from '../../shared/protocol/grpc-services.ts';
import type { Logger } from '../log.ts';

interface ExpectedWorker {
  token: Buffer;
  channels: Partial<Record<ServiceName, FnChannel<unknown, unknown>>>;
  resolve: (connection: HostConnection) => void;
  connected: boolean;
}

export class GrpcEndpoint {
  private readonly expected = new Map<string, ExpectedWorker>();
  private refusedCount = 0;

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
    for (const name of SERVICE_NAMES) {
      service[name] = FN_METHODS[name] as unknown as grpc.MethodDefinition<unknown, unknown>;
      handlers[name] = (call: grpc.ServerDuplexStream<unknown, unknown>) => endpoint.accept(name, call);
    }
    server.addService(service as grpc.ServiceDefinition, handlers);
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
    });
    await chmod(socketPath, 0o600);
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

  /** How many calls were refused (wrong or missing credentials). */
  get refused(): number {
    return this.refusedCount;
  }

  async stop(): Promise<void> {
    this.server.forceShutdown();
    await rm(this.dir, { recursive: true, force: true });
  }

  private accept(service: ServiceName, call: grpc.ServerDuplexStream<unknown, unknown>): void {
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
    if (SERVICE_NAMES.every((s) => worker.channels[s] !== undefined)) {
      worker.connected = true;
      const ch = worker.channels as Record<ServiceName, FnChannel<never, never>>;
      worker.resolve({
        control: ch.control,
        data: ch.data,
        state: ch.state,
        logging: ch.logging,
        close: () => {
          for (const s of SERVICE_NAMES) ch[s].close();
        },
      });
    }
  }
}
