/**
 * The worker's end of the State service: sends requests, matches responses by id. Requests are
 * answered in order, but matching by id keeps this independent of that.
 */
import { StateAccessError } from '../shared/errors/errors.ts';
import type { FnChannel } from '../shared/protocol/channel.ts';
import type { StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import type { StateChannel } from './state/state-channel.ts';

export class StateClient implements StateChannel {
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (r: StateResponse) => void; reject: (e: Error) => void }>();
  private closedWith: Error | null = null;

  constructor(private readonly channel: FnChannel<StateRequest, StateResponse>) {
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
}
