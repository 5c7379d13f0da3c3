/** A connection to the host's endpoint without the right token is refused; the host carries on. */
import { afterEach, describe, expect, it } from 'vitest';
import { setStderrLogging } from '../../host/log.ts';
import { hostLog } from '../../host/log.ts';
import { GrpcEndpoint } from '../../host/workers/grpc-endpoint.ts';
import type { WorkerConnection } from '../../shared/protocol/channel.ts';
import { connectGrpc } from '../../worker/grpc-connection.ts';

setStderrLogging(false);

function closeReason(connection: WorkerConnection): Promise<Error | null> {
  return new Promise((resolve) => connection.control.onClose(resolve));
}

describe('the gRPC endpoint', () => {
  let endpoint: GrpcEndpoint | null = null;
  afterEach(async () => {
    await endpoint?.stop();
    endpoint = null;
  });

  it('refuses a worker presenting a wrong token, and still accepts the right one', async () => {
    endpoint = await GrpcEndpoint.start(hostLog);
    const { token, connection } = endpoint.expectWorker('w1');

    const intruder = connectGrpc(endpoint.address, 'w1', `${token}x`);
    const reason = await closeReason(intruder);
    intruder.close();
    expect(reason).not.toBeNull();
    expect((reason as Error & { code?: number }).code).toBe(16); // UNAUTHENTICATED
    expect(reason!.message).toContain('unknown worker or wrong token');
    expect(endpoint.refused).toBeGreaterThanOrEqual(1);

    const worker = connectGrpc(endpoint.address, 'w1', token);
    const host = await connection;
    host.control.send({ instructionId: '1', heartbeat: { sentAt: 1 } });
    const received = await new Promise((resolve) => worker.control.onMessage(resolve));
    expect(received).toMatchObject({ instructionId: '1', heartbeat: { sentAt: 1 } });
    worker.close();
  });

  it('refuses an id it does not expect', async () => {
    endpoint = await GrpcEndpoint.start(hostLog);
    const stranger = connectGrpc(endpoint.address, 'nobody', 'anything');
    const reason = await closeReason(stranger);
    stranger.close();
    expect((reason as Error & { code?: number }).code).toBe(16);
  });

  it('lives in a directory only the host user can open', async () => {
    endpoint = await GrpcEndpoint.start(hostLog);
    const { statSync } = await import('node:fs');
    const socket = endpoint.address.replace('unix://', '');
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(socket.replace(/\/fn\.sock$/, '')).mode & 0o777).toBe(0o700);
  });
});
