/**
 * The worker's end of the State service: sends requests, matches responses by id. Requests are
 * answered in order, but matching by id keeps this independent of that.
 *
 * A request is waited for in one of two ways: request() returns a promise, requestNow() blocks
 * the thread until the answer is in (the channel's receiveNow). Both kinds share one id sequence
 * and one table of waiters, so a blocking wait that receives the answers of earlier requests
 * hands each to its own waiter, in order, before its own answer comes.
 */
import { StateAccessError } from '../shared/errors/errors.ts';
import type { BlockingReceiver, FnChannel } from '../shared/protocol/channel.ts';
import type { StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import type { StateChannel } from './state/state-channel.ts';

interface Waiter {
  resolve(response: StateResponse): void;
  reject(error: Error): void;
}

export class StateClient implements StateChannel {
  private nextId = 1;
  private readonly pending = new Map<string, Waiter>();
  private closedWith: Error | null = null;

  constructor(private readonly channel: FnChannel<StateRequest, StateResponse> & BlockingReceiver) {
    channel.onMessage((response) => {
      const id = response.id ?? '';
      const waiter = this.pending.get(id);
      if (waiter === undefined) return;
      this.pending.delete(id);
      waiter.resolve(response);
    });
    channel.onClose((error) => {
      this.closedWith = new StateAccessError(`the State stream closed${error ? `: ${error.message}` : ''}`);
      for (const waiter of this.pending.values()) waiter.reject(this.closedWith);
      this.pending.clear();
    });
  }

  request(request: StateRequest): Promise<StateResponse> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    const id = String(this.nextId++);
    return new Promise<StateResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.send({ ...request, id });
    });
  }

  requestNow(request: StateRequest): StateResponse {
    if (this.closedWith !== null) throw this.closedWith;
    const id = String(this.nextId++);
    const outcome: { response?: StateResponse; error?: Error } = {};
    this.pending.set(id, {
      resolve: (response) => (outcome.response = response),
      reject: (error) => (outcome.error = error),
    });
    this.channel.send({ ...request, id });
    while (outcome.response === undefined) {
      if (outcome.error !== undefined) throw outcome.error;
      if (!this.channel.receiveNow()) {
        // The channel's close handler normally ran by now and rejected the waiter (above).
        this.pending.delete(id);
        throw outcome.error ?? this.closedWith ?? new StateAccessError('the State stream closed before the host answered');
      }
    }
    return outcome.response;
  }
}
