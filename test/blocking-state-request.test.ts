/**
 * A worker's blocking state read (StateClient.requestNow) over each transport: the in-memory pair,
 * thread mode's State port with its doorbell in shared memory, and process mode's stream relay
 * thread in a real worker process against a real endpoint. The host holds its answers until the
 * blocking request has come, so the worker is really blocked when they arrive; the answers of
 * earlier async requests must reach their own waiters, in order, before requestNow returns, each
 * exactly once. A State stream that ends makes requestNow throw StateAccessError, never hang.
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { hostLog, setStderrLogging } from '../host/log.ts';
import { GrpcEndpoint } from '../host/workers/grpc-endpoint.ts';
import { workerBuild } from '../host/workers/worker-build.ts';
import { SignallingPortChannel } from '../shared/protocol/blocking-port-channel.ts';
import type { HostConnection } from '../shared/protocol/channel.ts';
import { createInMemoryPair } from '../shared/protocol/in-memory.ts';
import type { StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import { PortSignal } from '../shared/protocol/port-signal.ts';
import { StateClient } from '../worker/state-client.ts';
import {
  answersScenario,
  closedScenario,
  echo,
  readOf,
  serveEcho,
  summary,
  type AnswersReport,
  type ClosedReport,
} from './fixtures/blocking-state/scenarios.ts';

setStderrLogging(false);

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const THREAD_SIDE = new URL('./fixtures/blocking-state/thread.mjs', import.meta.url);
const PROCESS_SIDE = fileURLToPath(new URL('./fixtures/blocking-state/process-side.ts', import.meta.url));

const ANSWERED: AnswersReport = {
  now: '3:c',
  deliveredBeforeReturn: ['1', '2', '3'],
  settled: ['1:a', '2:b'],
  later: '4:d',
  againNow: '5:e',
  deliveries: ['1', '2', '3', '4', '5'],
};

const CLOSED: ClosedReport = {
  thrown: 'StateAccessError: the State stream closed',
  pending: 'StateAccessError: the State stream closed',
  afterwards: 'StateAccessError: the State stream closed',
};

describe('over the in-memory pair', () => {
  it('answers a blocking read synchronously, after the answers of earlier reads', async () => {
    const pair = createInMemoryPair();
    serveEcho(pair.host.state, { holdUntil: 3 });
    expect(await answersScenario(pair.worker.state)).toEqual(ANSWERED);
  });

  it('returns the exact response of a host that answers in its handler', () => {
    const pair = createInMemoryPair();
    pair.host.state.onMessage((request) => pair.host.state.send(echo(request)));
    const response = new StateClient(pair.worker.state).requestNow(readOf('k1'));
    expect(response).toEqual({ id: '1', results: [{ found: true, values: [new TextEncoder().encode('k1')] }] });
  });

  it('throws StateAccessError when the host ends the stream instead of answering', async () => {
    const pair = createInMemoryPair();
    serveEcho(pair.host.state, { closeAt: 2, close: () => pair.host.state.close() });
    expect(await closedScenario(pair.worker.state)).toEqual(CLOSED);
  });

  it('refuses to wait for a host that answers later (it cannot block)', () => {
    const pair = createInMemoryPair();
    pair.host.state.onMessage((request) => queueMicrotask(() => pair.host.state.send(echo(request))));
    expect(() => new StateClient(pair.worker.state).requestNow(readOf('k1'))).toThrow(
      'in-memory channel: nothing to receive, and the other side did not answer synchronously (an in-memory pair cannot wait)',
    );
  });
});

/** Runs a scenario in a worker thread whose State port's host end is served by `serve`. */
async function inThread<R>(
  scenario: 'answers' | 'closed',
  spinMs: number,
  serve: (host: SignallingPortChannel<StateResponse, StateRequest>) => void,
): Promise<R> {
  const { port1, port2 } = new MessageChannel();
  const signal = new PortSignal();
  const host = new SignallingPortChannel<StateResponse, StateRequest>(port1, signal, spinMs);
  serve(host);
  const worker = new Worker(THREAD_SIDE, {
    workerData: { port: port2, signal: signal.buffer, spinMs, scenario },
    transferList: [port2],
    execArgv: [],
  });
  try {
    return await new Promise<R>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the worker thread exited (${code}) without a report`)));
    });
  } finally {
    host.close();
    await worker.terminate();
  }
}

describe('thread mode: a worker thread blocked on its State port', () => {
  it.each([0, 2])('is woken by each answer, earlier answers first (spin time %i ms)', async (spinMs) => {
    const report = await inThread<AnswersReport>('answers', spinMs, (host) => serveEcho(host, { holdUntil: 3 }));
    expect(report).toEqual(ANSWERED);
  });

  it('throws StateAccessError when the host closes its port instead of answering', async () => {
    const report = await inThread<ClosedReport>('closed', 0, (host) => serveEcho(host, { closeAt: 2, close: () => host.close() }));
    expect(report).toEqual(CLOSED);
  });
});

describe('process mode: the stream relay thread of a worker process', () => {
  let endpoint: GrpcEndpoint | null = null;
  afterEach(async () => {
    await endpoint?.stop();
    endpoint = null;
  });

  /**
   * Starts a worker process (test/fixtures/blocking-state/process-side.ts) against a real
   * endpoint, serves its State stream with `serve` once the endpoint has attached all its
   * streams (State arrives on the relay's own connection), and returns its report.
   */
  async function inProcess<R>(
    scenario: 'answers' | 'closed',
    fromBuild: boolean,
    serve: (host: HostConnection, endpoint: GrpcEndpoint) => void,
  ): Promise<R> {
    endpoint = await GrpcEndpoint.start(hostLog);
    const build = fromBuild ? await workerBuild(hostLog) : null;
    if (fromBuild) expect(build).not.toBeNull();
    const { token, connection } = endpoint.expectWorker('w1');
    const child = execa(process.execPath, ['--import', 'tsx', PROCESS_SIDE], {
      cwd: ROOT,
      env: {
        SLUICE_ENDPOINT: endpoint.address,
        SLUICE_WORKER_ID: 'w1',
        SLUICE_TOKEN: token,
        SLUICE_WORKER_BUILD: build === null ? '' : JSON.stringify(build),
        SCENARIO: scenario,
      },
      reject: false,
      timeout: 45_000,
    });
    const host = await Promise.race([
      connection,
      child.then((r) => {
        throw new Error(`the worker process ended before it connected: ${r.stderr}`);
      }),
    ]);
    serve(host, endpoint);
    host.control.send({ instructionId: '1', heartbeat: { sentAt: 1 } });
    const result = await child;
    // It ended by itself (not by the timeout): the relay does not keep a process alive.
    expect({ exitCode: result.exitCode, timedOut: result.timedOut, stderr: result.stderr }).toEqual({ exitCode: 0, timedOut: false, stderr: '' });
    return JSON.parse(result.stdout) as R;
  }

  it.each([
    ['from the build', true],
    ['from source', false],
  ])('answers a blocking read with the host response, earlier answers first (%s)', async (_, fromBuild) => {
    const report = await inProcess<AnswersReport>('answers', fromBuild, (host) => serveEcho(host.state, { holdUntil: 3 }));
    expect(report).toEqual(ANSWERED);
  });

  it('throws StateAccessError when the host ends the State stream instead of answering', async () => {
    const report = await inProcess<ClosedReport>('closed', true, (host) => serveEcho(host.state, { closeAt: 2, close: () => host.state.close() }));
    expect(report).toEqual(CLOSED);
  });

  it('throws StateAccessError when the host goes away instead of answering', async () => {
    const report = await inProcess<ClosedReport>('closed', true, (host, e) =>
      serveEcho(host.state, { closeAt: 2, close: () => void e.stop() }),
    );
    expect(report).toEqual(CLOSED);
  });
});

describe('the echoing host of these tests', () => {
  it('answers each operation with its key', () => {
    expect(summary(echo({ ...readOf('x'), id: '7' }))).toBe('7:x');
  });
});
