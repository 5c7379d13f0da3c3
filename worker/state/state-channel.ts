import type { sluice } from '../../shared/generated/protocol.js';

/**
 * The seam between the worker's keyed state and the State service. The real transport (gRPC in
 * process mode, a MessagePort in thread mode) is plugged in behind it.
 *
 * Contract the state code relies on: requests reach the host and are applied in the order they
 * were sent, and each one is answered once. A request's operations are applied in order.
 */
export interface StateChannel {
  /** Sends one request; resolves with the host's response. Requests are answered in order. */
  request(request: sluice.fn.v1.IStateRequest): Promise<sluice.fn.v1.IStateResponse>;
}
