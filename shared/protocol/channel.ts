/**
 * The transport seam. The Control/Data/State/Logging handling on both sides is written against
 * these channels and never learns whether they run over gRPC (process mode), a MessagePort
 * (thread mode) or an in-memory pair (tests).
 */
import type {
  Elements,
  InstructionRequest,
  InstructionResponse,
  LogControl,
  LogEntries,
  StateRequest,
  StateResponse,
} from './messages.ts';

/** One bidirectional, ordered message stream. */
export interface FnChannel<Out, In> {
  /**
   * Sends a message. `transfer` lists buffers the receiver may take over instead of copying
   * (thread mode); the sender must not touch them afterwards. A message sent after the stream
   * ended is dropped: the end itself is what the sender learns about, through onClose (a
   * worker that died must be reported as such, not as a failed send).
   */
  send(message: Out, transfer?: readonly ArrayBuffer[]): void;
  /** Sets the handler for incoming messages (at most one handler; later calls replace it). */
  onMessage(handler: (message: In) => void): void;
  /** Called once when the stream ends: null for an orderly end, else the reason. */
  onClose(handler: (error: Error | null) => void): void;
  close(): void;
  /**
   * Only where a sent message may still be inside this process after send() returned (a relay
   * thread writes it later): blocks the calling thread for at most `timeoutMs` until every message
   * sent has left, and returns those that may not have, oldest first. Without it, a message has
   * left when send() returns.
   */
  drainNow?(timeoutMs: number): Out[];
}

/**
 * A channel whose receiver can block its thread until a message comes, for the one thing a worker
 * waits for synchronously: the answer to a state read (worker/state-client.ts, requestNow).
 * Messages taken this way go to the onMessage handler like any other, each exactly once and in
 * the order they were sent.
 */
export interface BlockingReceiver {
  /**
   * Blocks the calling thread until at least one message has arrived or the channel ended; hands
   * every message that has arrived to the onMessage handler, synchronously and in order, before
   * returning. Returns false once the channel has ended (and no message was left to hand over).
   */
  receiveNow(): boolean;
}

/** The worker's ends of the four services. */
export interface WorkerConnection {
  control: FnChannel<InstructionResponse, InstructionRequest>;
  data: FnChannel<Elements, Elements>;
  state: FnChannel<StateRequest, StateResponse> & BlockingReceiver;
  logging: FnChannel<LogEntries, LogControl>;
  /** Tears the whole connection down. */
  close(): void;
}

/** The host's ends of the four services, for one worker. */
export interface HostConnection {
  control: FnChannel<InstructionRequest, InstructionResponse>;
  data: FnChannel<Elements, Elements>;
  state: FnChannel<StateResponse, StateRequest>;
  logging: FnChannel<LogControl, LogEntries>;
  close(): void;
}
