/**
 * A worker's log entries are handed to the transport as they are logged, not on a later turn of
 * the event loop (which a function in an endless loop, or one calling process.exit, never gives);
 * process mode's relayed Logging channel can wait for the host to have them, and says which it
 * does not know the host has.
 */
import { describe, expect, it } from 'vitest';
import { ChannelBase } from '../shared/protocol/channel-base.ts';
import type { LogControl, LogEntries } from '../shared/protocol/messages.ts';
import { Severity } from '../shared/protocol/messages.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';
import { LogForwarder, stderrLine } from '../worker/log-forwarding.ts';
import { RelayedLogChannel } from '../worker/relayed-log-channel.ts';

class RecordingChannel<Out, In> extends ChannelBase<Out, In> {
  readonly sent: Out[] = [];
  send(message: Out): void {
    this.sent.push(message);
  }
  close(): void {
    this.markClosed(null);
  }
}

describe('LogForwarder', () => {
  it('sends each entry when it is logged, with severity, operator, bundle and worker', () => {
    const channel = new RecordingChannel<LogEntries, LogControl>();
    const forwarder = new LogForwarder(channel, 'w-1');
    const target = { ...console };
    forwarder.captureConsole(target);
    target.error('first', 1);
    target.log('second');
    // No turn of the event loop in between: both have gone.
    expect(channel.sent.map((m) => (m.entries ?? []).map((e) => [e.severity, e.message, e.workerId]))).toEqual([
      [[Severity.ERROR, 'first 1', 'w-1']],
      [[Severity.INFO, 'second', 'w-1']],
    ]);
  });
});

describe('RelayedLogChannel', () => {
  it('drainNow returns the messages the host has not acknowledged, oldest first', () => {
    const port = new RecordingChannel<Uint8Array, never>();
    const received = new PortSignal();
    const channel = new RelayedLogChannel(port, received, (m) => new TextEncoder().encode(m.entries?.[0]?.message ?? ''));
    const message = (text: string): LogEntries => ({ entries: [{ message: text }] });
    channel.send(message('a'));
    channel.send(message('b'));
    channel.send(message('c'));
    expect(port.sent.map((bytes) => new TextDecoder().decode(bytes))).toEqual(['a', 'b', 'c']);
    received.ring();
    expect(channel.drainNow(0)).toEqual([message('b'), message('c')]);
    received.ring();
    received.ring();
    expect(channel.drainNow(0)).toEqual([]);
  });

  it('drainNow stops waiting once the relay has ended', () => {
    const received = new PortSignal();
    const channel = new RelayedLogChannel(new RecordingChannel<Uint8Array, never>(), received, () => new Uint8Array(1));
    channel.send({ entries: [{ message: 'acknowledged' }] });
    channel.send({ entries: [{ message: 'lost' }] });
    received.ring();
    // close() rings too: that ring acknowledges nothing.
    received.close();
    expect(channel.drainNow(60_000)).toEqual([{ entries: [{ message: 'lost' }] }]);
  });
});

it('an entry written to stderr reads as a log line', () => {
  expect(stderrLine({ severity: Severity.WARN, message: 'careful', transform: 'Op', instructionId: '4', trace: 'at x' })).toBe(
    'WARN [Op · bundle 4] careful\nat x\n',
  );
  expect(stderrLine({ severity: Severity.ERROR, message: 'bare' })).toBe('ERROR bare\n');
});
