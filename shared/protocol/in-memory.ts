/**
 * An in-memory pair of connections: what one side sends, the other receives on a later
 * microtask, as over a real transport. Protocol tests run the host and worker protocol cores
 * against each other with it, without processes.
 *
 * A side cannot wait for a microtask, so a blocking receive (receiveNow) delivers synchronously
 * instead: first what this side sent and the peer has not received yet (the peer's handler may
 * answer at once, as the host's State handler does), then what the peer sent. Every message
 * keeps its own microtask, which does nothing if the message went out early: messages that are
 * not flushed keep exactly the order, across channels too, they would have without flushing.
 */
import { ChannelBase } from './channel-base.ts';
import type { BlockingReceiver, HostConnection, WorkerConnection } from './channel.ts';

class InMemoryChannel<Out, In> extends ChannelBase<Out, In> implements BlockingReceiver {
  peer: InMemoryChannel<In, Out> | null = null;
  /** Messages sent to this side and not yet delivered, oldest first. */
  private readonly inbox: { message: In }[] = [];
  /** Set as soon as the peer ends (its close reaches this side on a later microtask). */
  private peerEnded: { error: Error | null } | null = null;

  constructor(private readonly cloneMessages: boolean) {
    super();
  }

  send(message: Out): void {
    if (this.closed) return;
    const peer = this.peer;
    if (peer === null) throw new Error('in-memory channel has no peer');
    peer.enqueue(this.cloneMessages ? structuredClone(message) : message);
  }

  receive(message: In): void {
    this.deliver(message);
  }

  receiveNow(): boolean {
    if (this.closed) return false;
    this.peer?.flush();
    if (this.inbox.length > 0) {
      this.flush();
      return true;
    }
    if (this.peerEnded !== null) {
      this.markClosed(this.peerEnded.error);
      return false;
    }
    // A real transport would block until the peer answers; here nothing else can run meanwhile.
    throw new Error('in-memory channel: nothing to receive, and the other side did not answer synchronously (an in-memory pair cannot wait)');
  }

  close(): void {
    if (this.closed) return;
    this.markClosed(null);
    const peer = this.peer;
    if (peer !== null) peer.endFromPeer(null);
  }

  /** Ends the channel as a broken transport would. */
  fail(error: Error): void {
    this.markClosed(error);
    const peer = this.peer;
    if (peer !== null) peer.endFromPeer(error);
  }

  closeFromPeer(error: Error | null): void {
    this.markClosed(error);
  }

  private enqueue(message: In): void {
    const entry = { message };
    this.inbox.push(entry);
    // Earlier entries were delivered by their own microtasks or by a flush, so an entry still
    // waiting when its microtask runs is the oldest.
    queueMicrotask(() => {
      if (this.inbox[0] !== entry) return;
      this.inbox.shift();
      this.receive(entry.message);
    });
  }

  /** Delivers every message waiting, in order (handlers may add more: those go too). */
  private flush(): void {
    for (let entry = this.inbox.shift(); entry !== undefined; entry = this.inbox.shift()) this.receive(entry.message);
  }

  private endFromPeer(error: Error | null): void {
    this.peerEnded ??= { error };
    queueMicrotask(() => this.closeFromPeer(error));
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
