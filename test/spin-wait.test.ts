/**
 * Thread mode's polling for answers (shared/protocol/spin-wait.ts), on a clock the test moves:
 * a send holds the event loop for the spin time, an answer releases it, and a side whose answer
 * came too late stops holding it until an answer comes in time again.
 */
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { PortChannel } from '../shared/protocol/port-channel.ts';
import { SpinWait, threadIsSpinning } from '../shared/protocol/spin-wait.ts';
import { yieldToEventLoop } from '../shared/event-loop.ts';

let now = 0;
const clock = () => now;

/** Lets the loop turn until the spinning has noticed that nothing holds it any more. */
async function settle(): Promise<void> {
  await yieldToEventLoop();
  await yieldToEventLoop();
}

describe('SpinWait', () => {
  afterEach(async () => {
    now = 0;
    await settle();
  });

  it('does nothing with a spin time of 0', async () => {
    const spin = new SpinWait(0, clock);
    spin.sent();
    expect(spin.holding).toBe(false);
    await settle();
    expect(threadIsSpinning()).toBe(false);
  });

  it('keeps the loop turning after a send until the spin time has passed', async () => {
    const spin = new SpinWait(3, clock);
    spin.sent();
    expect(spin.holding).toBe(true);
    expect(threadIsSpinning()).toBe(true);
    now = 2.9;
    await settle();
    expect(threadIsSpinning()).toBe(true);
    now = 3;
    await settle();
    expect(spin.holding).toBe(false);
    expect(threadIsSpinning()).toBe(false);
  });

  it('stops at the answer, and spins again on the next send when the answer came in time', async () => {
    const spin = new SpinWait(3, clock);
    spin.sent();
    now = 1;
    spin.received();
    expect(spin.holding).toBe(false);
    await settle();
    expect(threadIsSpinning()).toBe(false);
    now = 10;
    spin.sent();
    expect(spin.holding).toBe(true);
    spin.close();
  });

  it('does not spin after an answer that took longer than the spin time, until one comes in time', async () => {
    const spin = new SpinWait(3, clock);
    spin.sent();
    now = 3.5;
    spin.received();
    now = 4;
    spin.sent();
    expect(spin.holding).toBe(false);
    await settle();
    expect(threadIsSpinning()).toBe(false);
    // Still timed while not spinning: an answer in time makes the next send spin again.
    now = 6;
    spin.received();
    spin.sent();
    expect(spin.holding).toBe(true);
    spin.close();
  });

  it('times an answer from the oldest send it answers', () => {
    const spin = new SpinWait(3, clock);
    spin.sent();
    now = 2;
    spin.sent();
    now = 4;
    spin.received();
    spin.sent();
    expect(spin.holding).toBe(false);
  });

  it('keeps the loop turning while any channel holds it', async () => {
    const a = new SpinWait(3, clock);
    const b = new SpinWait(5, clock);
    a.sent();
    b.sent();
    a.received();
    await settle();
    expect(threadIsSpinning()).toBe(true);
    now = 5;
    await settle();
    expect(threadIsSpinning()).toBe(false);
  });

  it('never holds the loop once its channel is closed', () => {
    const spin = new SpinWait(3, clock);
    spin.sent();
    spin.close();
    expect(spin.holding).toBe(false);
    spin.sent();
    expect(spin.holding).toBe(false);
  });
});

describe('PortChannel with a spin time', () => {
  it('delivers every message, in order, both ways', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = new PortChannel<number, string>(port1, 3);
    const b = new PortChannel<string, number>(port2, 3);
    const atB: number[] = [];
    const atA: string[] = [];
    const done = new Promise<void>((resolve) => {
      b.onMessage((n) => {
        atB.push(n);
        b.send(`answer ${n}`);
      });
      a.onMessage((s) => {
        atA.push(s);
        if (atA.length === 5) resolve();
      });
    });
    for (let i = 0; i < 5; i++) a.send(i);
    await done;
    a.close();
    b.close();
    expect(atB).toEqual([0, 1, 2, 3, 4]);
    expect(atA).toEqual(['answer 0', 'answer 1', 'answer 2', 'answer 3', 'answer 4']);
  });
});
