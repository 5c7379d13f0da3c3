/**
 * PyFlink's own word_count.py, in Sluice: a FileSource read in BATCH mode, the counts written by
 * a FileSink with a part prefix and suffix, into the bucket of the hour (Flink's default bucket
 * assigner: `<output>/2026-11-25--03/prefix-<writer id>-0-0.ext`). In BATCH mode the reduce
 * emits one final count per word (streaming, it would emit a running count per record).
 *
 *   npx sluice run examples/word-count-batch.ts
 *   npx sluice run examples/word-count-batch.ts -- path/to/input path/to/output-dir
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Encoder,
  FileSink,
  FileSource,
  OutputFileConfig,
  RollingPolicy,
  RuntimeExecutionMode,
  StreamExecutionEnvironment,
  StreamFormat,
  Types,
  WatermarkStrategy,
} from 'sluice';

const input = process.argv[2] ?? fileURLToPath(new URL('./data/words.txt', import.meta.url));
const output = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'sluice-word-count-'));

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setRuntimeMode(RuntimeExecutionMode.BATCH);
env.setParallelism(1);

env
  .fromSource(FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), input).processStaticFileSet().build(), WatermarkStrategy.noWatermarks(), 'file_source')
  .flatMap((line) => line.split(/\s+/).filter((w) => w !== ''), Types.STRING())
  .map((word): [string, number] => [word.toLowerCase(), 1], Types.TUPLE([Types.STRING(), Types.LONG()]))
  .keyBy((pair) => pair[0])
  .reduce((a, b) => [a[0], a[1] + b[1]])
  .sinkTo(
    FileSink.forRowFormat(output, Encoder.simpleStringEncoder())
      .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('prefix').withPartSuffix('.ext').build())
      .withRollingPolicy(RollingPolicy.defaultRollingPolicy())
      .build(),
  );

await env.execute('word count (batch)');

// The committed part files, in their bucket directories (hidden files are in progress).
for (const name of readdirSync(output, { recursive: true, encoding: 'utf8' }).sort()) {
  const path = join(output, name);
  if (basename(name).startsWith('.') || !statSync(path).isFile()) continue;
  console.log(`${path}:`);
  process.stdout.write(readFileSync(path, 'utf8'));
}
