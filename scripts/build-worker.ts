/**
 * Makes the workers' build (host/workers/worker-build.ts) at install, as npm's `prepare` step, so
 * that the first job does not wait for it. A build that fails is reported and the install goes
 * on: workers then start from source.
 */
import { hostLog } from '../host/log.ts';
import { workerBuild } from '../host/workers/worker-build.ts';

await workerBuild(hostLog);
