/**
 * An in-memory pair of connections: what one side sends, the other receives on a later
 * microtask, as over a real transport. Protocol tests run the host and worker protocol cores
 * against each other with it, without processes.
 */
import { ChannelBase } from './channel-base.ts';
import type { HostConnection, WorkerConnection } from './channel.ts';

class InMemoryChannel<Out, In> extends ChannelBase<Out, In> {
  peer: InMemoryChannel<In, Out> | null = null;

  constructor(private readonly cloneMessages: boolean) {
    super();
  }

  send(message: Out): void {
    if (this.closed) return;
    const peer = this.peer;
    if (peer === null) throw new Error('in-memory channel has no peer');
    const delivered = this.cloneMessages ? structuredClone(message) : message;
    queueMicrotask(() => peer.receive(delivered));
  }

  receive(message: In): void {
    this.deliver(message);
  }

  close(): void {
    if (this.closed) return;
    this.markClosed(null);
    const peer = this.peer;
    if (peer !== null) queueMicrotask(() => peer.closeFromPeer(null));
  }

  /** Ends the channel as a broken transport would. */
  fail(error: Error): void {
    this.markClosed(error);
    const peer = this.peer;
    if (peer !== null) queueMicrotask(() => peer.closeFromPeer(error));
  }

  closeFromPeer(error: Error | null): void {
    this.markClosed(error);
  }
}

function pair<A, B>(clone: boolean): [InMemoryChannel<A, B>, InMemoryChannel<B, A>] {
  const a = new InMemoryChannel<A, B>(clone);
  const b = new InMemoryChannel<B, A>(clone);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export interface InMemoryPair {
  host: HostConnection;
  worker: WorkerConnection;
  /** Breaks every stream, as a dying worker would. */
  breakAll(error: Error): void;
}

type HostSide<K extends keyof HostConnection> = HostConnection[K] extends { send(m: infer O): void; onMessage(h: (m: infer I) => void): void }
  ? [O, I]
  : never;

/**
 * @param cloneMessages structured-clone every message, as a MessagePort would (default true),
 *   so that tests catch code that relies on message classes or shared objects.
 */
export function createInMemoryPair(cloneMessages = true): InMemoryPair {
  const [hc, wc] = pair<HostSide<'control'>[0], HostSide<'control'>[1]>(cloneMessages);
  const [hd, wd] = pair<HostSide<'data'>[0], HostSide<'data'>[1]>(cloneMessages);
  const [hs, ws] = pair<HostSide<'state'>[0], HostSide<'state'>[1]>(cloneMessages);
  const [hl, wl] = pair<HostSide<'logging'>[0], HostSide<'logging'>[1]>(cloneMessages);
  const closeAll = (): void => {
    for (const c of [hc, hd, hs, hl, wc, wd, ws, wl]) c.close();
  };
  return {
    host: { control: hc, data: hd, state: hs, logging: hl, close: closeAll },
    worker: { control: wc, data: wd, state: ws, logging: wl, close: closeAll },
    breakAll(error: Error): void {
      for (const c of [hc, hd, hs, hl]) c.fail(error);
    },
  };
}
