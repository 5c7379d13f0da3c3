import type { sluice } from '../../shared/generated/protocol.js';

/**
 * The seam between the worker's keyed state and the State service. The real transport (gRPC in
 * process mode, a MessagePort in thread mode, a direct call in embedded mode) is plugged in
 * behind it.
 *
 * Contract the state code relies on: requests reach the host and are applied in the order they
 * were sent, whichever of the two methods sent them, and each one is answered once. A request's
 * operations are applied in order.
 */
export interface StateChannel {
  /** Sends one request; resolves with the host's response. Requests are answered in order. */
  request(request: sluice.fn.v1.IStateRequest): Promise<sluice.fn.v1.IStateResponse>;
  /**
   * Sends one request and blocks the calling thread until the host has answered it: a state
   * read that the cache cannot serve (user functions read state synchronously, as in Flink).
   * The answers of requests sent before it are handed to their own waiters first, in order.
   * Throws StateAccessError if the State stream has ended or ends before the answer comes.
   */
  requestNow(request: sluice.fn.v1.IStateRequest): sluice.fn.v1.IStateResponse;
}
