/**
 * Word count over a text file: the classic first job. Every function below runs in a worker
 * process (or thread, with -D udf.execution-mode=thread), never in the host.
 *
 *   npx sluice run examples/word-count.ts
 *   npx sluice run examples/word-count.ts -- path/to/other.txt
 */
import { fileURLToPath } from 'node:url';
import { StreamExecutionEnvironment, Types } from 'sluice';

const input = process.argv[2] ?? fileURLToPath(new URL('./data/words.txt', import.meta.url));

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.configure({ 'udf.bundle.size': 1000 });

env
  .readTextFile(input)
  .flatMap(
    (line) => line.split(/\s+/).filter((w) => w !== '').map((w): [string, number] => [w.toLowerCase(), 1]),
    Types.TUPLE([Types.STRING(), Types.LONG()]),
  )
  .keyBy((t) => t[0])
  .reduce((a, b) => [a[0], a[1] + b[1]])
  .print();

await env.execute('word count');
