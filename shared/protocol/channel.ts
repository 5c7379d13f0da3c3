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
}

/** The worker's ends of the four services. */
export interface WorkerConnection {
  control: FnChannel<InstructionResponse, InstructionRequest>;
  data: FnChannel<Elements, Elements>;
  state: FnChannel<StateRequest, StateResponse>;
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
