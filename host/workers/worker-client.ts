/**
 * The host's end of one worker's four services: the protocol core on the host side, the same
 * for every transport. It sends instructions and matches their responses, passes Data
 * elements to whoever runs the worker's bundles, answers State requests from the keyed state
 * backend, and writes the worker's log entries into the host's log.
 */
import { ProtocolError } from '../../shared/errors/errors.ts';
import { fromWireError } from '../../shared/errors/wire.ts';
import type { HostConnection } from '../../shared/protocol/channel.ts';
import { STARTUP_TIMEOUT } from '../../shared/protocol/startup-timeout.ts';
import type {
  Elements,
  InstructionRequest,
  InstructionResponse,
  LogEntry,
  StateRequest,
  StateResponse,
} from '../../shared/protocol/messages.ts';
import { Severity } from '../../shared/protocol/messages.ts';
import { toWireError } from '../../shared/errors/wire.ts';
import type { Logger, LogLevel } from '../log.ts';

/** How heartbeat instructions are described; left out of activity reports. */
export const HEARTBEAT_ACTIVITY = 'answering a heartbeat';

export type StateHandler = (request: StateRequest) => StateResponse;

interface Pending {
  resolve: (response: InstructionResponse) => void;
  reject: (error: Error) => void;
  what: string;
}

export class WorkerClient {
  private nextInstruction = 1;
  private readonly pending = new Map<string, Pending>();
  private dataHandler: ((elements: Elements) => void) | null = null;
  private stateHandler: StateHandler | null = null;
  private failure: Error | null = null;
  /**
   * False until the worker has registered its bundle processor: loading code and running
   * open() may keep its event loop busy for a while, which is start-up, not a hang.
   */
  registered = false;
  /**
   * Since when the worker has been loading and opening its functions (the registration went
   * out), and which they are; null before. The supervisor times it out (udf.worker.startup-timeout).
   */
  registering: { since: number; functions: string } | null = null;
  private startupTimeoutHandler: ((detail: string) => void) | null = null;
  private heartbeatListener: ((response: InstructionResponse) => void) | null = null;
  private readonly failureListeners: ((error: Error) => void)[] = [];

  /**
   * @param onStreamClosed what to do when one of the worker's streams ends while the worker is
   *   needed (a broken stream, a message that could not be decoded, a worker going away); the
   *   supervisor waits for the worker's exit there, to report how it ended. Without it the
   *   client fails at once.
   */
  constructor(
    private readonly connection: HostConnection,
    readonly workerId: string,
    private readonly log: Logger,
    onStreamClosed?: (error: Error | null) => void,
  ) {
    connection.control.onMessage((response) => this.onResponse(response));
    connection.data.onMessage((elements) => {
      if (this.dataHandler === null) {
        this.log.warn(`worker ${workerId} sent data outside a bundle; dropped`);
        return;
      }
      this.dataHandler(elements);
    });
    connection.state.onMessage((request) => this.onStateRequest(request));
    connection.logging.onMessage((entries) => {
      for (const entry of entries.entries ?? []) this.writeLog(entry);
    });
    for (const [name, channel] of Object.entries(SERVICE_CHANNELS(connection))) {
      channel.onClose((error) => {
        // The first stream to end says why; the others follow it.
        if (this.failure !== null || this.closing || this.streamClosed) return;
        this.streamClosed = true;
        const message = `worker ${workerId}: the ${name} stream closed${error ? `: ${error.message}` : ''}`;
        this.log.error(message);
        if (onStreamClosed !== undefined) onStreamClosed(error);
        else this.fail(new ProtocolError(message));
      });
    }
  }

  /** Sends an instruction; resolves with its response, rejects with the worker's error. */
  instruct(request: Omit<InstructionRequest, 'instructionId'>, what: string): Promise<InstructionResponse> {
    return this.start(request, what).response;
  }

  /** As instruct(), also giving the instruction's id (a bundle's Data elements carry it). */
  start(request: Omit<InstructionRequest, 'instructionId'>, what: string): { instructionId: string; response: Promise<InstructionResponse> } {
    const instructionId = String(this.nextInstruction++);
    if (this.failure !== null) return { instructionId, response: Promise.reject(this.failure) };
    if (request.register) {
      const functions = (request.register.transforms ?? []).map((t) => `${t.functionName || t.kind || ''} of operator '${t.name ?? ''}'`);
      this.registering = { since: Date.now(), functions: functions.join(', ') };
    }
    const response = new Promise<InstructionResponse>((resolve, reject) => {
      this.pending.set(instructionId, { resolve, reject, what });
      this.connection.control.send({ ...request, instructionId });
    });
    return { instructionId, response };
  }

  onData(handler: (elements: Elements) => void): void {
    this.dataHandler = handler;
  }

  sendData(elements: Elements, transfer?: readonly ArrayBuffer[]): void {
    if (this.failure !== null) throw this.failure;
    this.connection.data.send(elements, transfer);
  }

  serveState(handler: StateHandler): void {
    this.stateHandler = handler;
  }

  /**
   * What to do when the worker says its start-up did not complete within
   * udf.worker.startup-timeout (the STARTUP_TIMEOUT error, with what it was at): the handler
   * fails this client, so the registration stays pending until then. Without one, the
   * registration is rejected with the worker's error as it came.
   */
  onStartupTimeout(handler: (detail: string) => void): void {
    this.startupTimeoutHandler = handler;
  }

  /** Gives `listener` each heartbeat answer (the supervisor sends the heartbeats). */
  onHeartbeat(listener: (response: InstructionResponse) => void): void {
    this.heartbeatListener = listener;
  }

  heartbeatAnswered(response: InstructionResponse): void {
    this.heartbeatListener?.(response);
  }

  /** What the worker is being asked to do right now, for failure reports. */
  activity(): string {
    return [...this.pending.values()]
      .map((p) => p.what)
      .filter((what) => what !== HEARTBEAT_ACTIVITY)
      .join(', ');
  }

  /** Rejects everything pending and every later call with `error`; the first failure wins. */
  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(error);
    for (const listener of this.failureListeners) listener(error);
  }

  get failed(): Error | null {
    return this.failure;
  }

  onFailure(listener: (error: Error) => void): void {
    if (this.failure !== null) listener(this.failure);
    else this.failureListeners.push(listener);
  }

  close(): void {
    this.closing = true;
    this.connection.close();
  }

  /** The worker is being shut down: its streams ending from now on is expected. */
  expectClose(): void {
    this.closing = true;
  }

  private closing = false;
  private streamClosed = false;

  private onResponse(response: InstructionResponse): void {
    const id = response.instructionId ?? '';
    const pending = this.pending.get(id);
    if (pending === undefined) {
      // After a failure, answers to what was pending then are expected, and of no interest.
      if (this.failure === null) this.log.error(`worker ${this.workerId} answered instruction '${id}', which it was not given; ignored`);
      return;
    }
    if (response.error?.name === STARTUP_TIMEOUT && this.startupTimeoutHandler !== null) {
      this.startupTimeoutHandler(response.error.message ?? '');
      return;
    }
    this.pending.delete(id);
    if (response.error) pending.reject(fromWireError(response.error, this.workerId));
    else pending.resolve(response);
  }

  private onStateRequest(request: StateRequest): void {
    let response: StateResponse;
    try {
      if (this.stateHandler === null) throw new ProtocolError('this worker has no keyed state');
      response = this.stateHandler(request);
    } catch (error) {
      this.log.error(`worker ${this.workerId}: state request refused: ${error instanceof Error ? error.message : String(error)}`);
      response = { error: toWireError(error), results: [] };
    }
    this.connection.state.send({ ...response, id: request.id ?? '' });
  }

  private writeLog(entry: LogEntry): void {
    this.log.write({
      level: levelOf(entry.severity ?? Severity.INFO),
      time: entry.time ?? Date.now(),
      message: entry.message ?? '',
      workerId: entry.workerId || this.workerId,
      ...(entry.transform ? { operator: entry.transform } : {}),
      ...(entry.instructionId ? { bundle: entry.instructionId } : {}),
      ...(entry.trace ? { trace: entry.trace } : {}),
    });
  }
}

function SERVICE_CHANNELS(c: HostConnection): Record<string, { onClose(h: (e: Error | null) => void): void }> {
  return { Control: c.control, Data: c.data, State: c.state, Logging: c.logging };
}

function levelOf(severity: number): LogLevel {
  if (severity >= Severity.ERROR) return 'error';
  if (severity >= Severity.WARN) return 'warn';
  if (severity >= Severity.INFO) return 'info';
  if (severity >= Severity.DEBUG) return 'debug';
  return 'trace';
}
