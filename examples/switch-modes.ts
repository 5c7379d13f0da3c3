/**
 * The same job, switched between execution modes and tuned from the command line alone:
 *
 *   npx sluice run examples/switch-modes.ts                                  # process mode (default)
 *   npx sluice run examples/switch-modes.ts -D udf.execution-mode=thread     # worker threads
 *   npx sluice run examples/switch-modes.ts -D udf.execution-mode=embedded   # on the host thread (debugging)
 *   npx sluice run examples/switch-modes.ts -D udf.bundle.size=10 -D parallelism.default=2
 *   npx sluice run examples/switch-modes.ts --config examples/tuning.yaml
 *
 * Values given on the command line win over values set in the code below.
 */
import { threadId } from 'node:worker_threads';
import { StreamExecutionEnvironment, Types } from 'sluice';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.configure({ 'udf.bundle.size': 1000 });

const squares = await env
  .fromSequence(1, 10_000)
  .map((n) => n * n, Types.LONG())
  .filter((n) => n % 7 === 0)
  .executeAndCollect('squares');

const config = env.getConfig();
console.log(
  `mode=${config.get('udf.execution-mode')} bundle.size=${config.get('udf.bundle.size')} ` +
    `parallelism=${config.get('parallelism.default')} host thread=${threadId}`,
);
console.log(`${squares.length} squares divisible by 7; their sum is ${squares.reduce((a, b) => a + b, 0)}`);
