/**
 * env.fromSource() (PyFlink's from_source) with its sources, FileSource and NumberSequenceSource:
 * what it builds, and what it refuses when the job is defined, each refusal naming the call.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FileSource,
  JobDefinitionError,
  NumberSequenceSource,
  SourceFunction,
  StreamExecutionEnvironment,
  StreamFormat,
  Time,
  Types,
  WatermarkStrategy,
  type Source,
} from '../host/index.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-from-source-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

const lines = (...paths: string[]): FileSource => FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), ...paths).build();

interface PlanNode {
  id: number;
  type: string;
  contents: string;
  parallelism: number;
}
const planOf = (env: StreamExecutionEnvironment): PlanNode[] =>
  (JSON.parse(env.getExecutionPlan()) as { nodes: PlanNode[] }).nodes.map(({ id, type, contents, parallelism }) => ({ id, type, contents, parallelism }));

describe('env.fromSource', () => {
  it('reads a FileSource’s lines, named by the source name, with no operator for WatermarkStrategy.noWatermarks()', async () => {
    const file = join(root, 'words.txt');
    writeFileSync(file, 'to be\nor not\n');
    const env = environment();
    const stream = env.fromSource(lines(pathToFileURL(file).href), WatermarkStrategy.noWatermarks(), 'words');
    expect(stream.getType()).toEqual(Types.STRING());
    stream.print();
    expect(planOf(env)).toEqual([
      { id: 1, type: 'Source: File Source', contents: 'Source: words', parallelism: 1 },
      { id: 2, type: 'Sink: Print to Std. Out', contents: 'Sink: Print to Std. Out', parallelism: 1 },
    ]);
    const run = environment();
    expect(await run.fromSource(lines(file), WatermarkStrategy.noWatermarks(), 'words').executeAndCollect()).toEqual(['to be', 'or not']);
  });

  it('applies any other watermark strategy in a Timestamps/Watermarks operator after the source, at its parallelism', () => {
    const env = environment();
    env.setParallelism(3);
    env.fromSource(new NumberSequenceSource(1, 100), WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n), 'numbers').print();
    expect(planOf(env)).toEqual([
      { id: 1, type: 'Source: Sequence Source', contents: 'Source: numbers', parallelism: 3 },
      { id: 2, type: 'Timestamps/Watermarks', contents: 'Timestamps/Watermarks', parallelism: 3 },
      { id: 3, type: 'Sink: Print to Std. Out', contents: 'Sink: Print to Std. Out', parallelism: 3 },
    ]);
  });

  it('names, identifies and sizes the source through the stream it returns, watermark operator or not', () => {
    const env = environment();
    env.setParallelism(3);
    const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n);
    const stream = env.fromSource(new NumberSequenceSource(1, 100), strategy, 'numbers').setParallelism(2).uid('numbers-uid').name('Numbers').setDescription('all of them');
    expect(stream.getName()).toBe('Numbers');
    stream.print();
    env.fromSource(new NumberSequenceSource(1, 100), strategy, 'one').forceNonParallel().print();
    const nodes = JSON.parse(env.getExecutionPlan()) as { nodes: (PlanNode & { description?: string })[] };
    expect(nodes.nodes.map(({ id, type, contents, parallelism }) => ({ id, type, contents, parallelism }))).toEqual([
      { id: 1, type: 'Source: Sequence Source', contents: 'Numbers', parallelism: 2 },
      { id: 2, type: 'Timestamps/Watermarks', contents: 'Timestamps/Watermarks', parallelism: 2 },
      { id: 3, type: 'Sink: Print to Std. Out', contents: 'Sink: Print to Std. Out', parallelism: 3 },
      { id: 4, type: 'Source: Sequence Source', contents: 'Source: one', parallelism: 1 },
      { id: 5, type: 'Timestamps/Watermarks', contents: 'Timestamps/Watermarks', parallelism: 1 },
      { id: 6, type: 'Sink: Print to Std. Out', contents: 'Sink: Print to Std. Out', parallelism: 3 },
    ]);
    expect((stream as unknown as { source: { transformation: { uid: string | null; description: string | null } } }).source.transformation).toMatchObject({
      uid: 'numbers-uid',
      description: 'all of them',
    });
  });

  it('reads a NumberSequenceSource split between its instances, as LONG', async () => {
    const env = environment();
    const stream = env.fromSource(new NumberSequenceSource(-2n, 5), WatermarkStrategy.noWatermarks(), 'numbers').setParallelism(2);
    expect(stream.getType()).toEqual(Types.LONG());
    const got = await stream.map((n: number) => n * 10).executeAndCollect();
    expect(got.sort((a, b) => a - b)).toEqual([-20, -10, 0, 10, 20, 30, 40, 50]);
  });

  it('refuses what is not a Source, a watermark strategy or a name', () => {
    const env = environment();
    class Numbers extends SourceFunction<number> {
      run(): number[] {
        return [1];
      }
    }
    expect(() => env.fromSource(new Numbers() as unknown as Source<number>, WatermarkStrategy.noWatermarks(), 'n')).toThrow(
      new JobDefinitionError('fromSource takes a FileSource or a NumberSequenceSource; a SourceFunction goes to addSource()'),
    );
    expect(() => env.fromSource(lines(root), undefined as unknown as WatermarkStrategy<string>, 'n')).toThrow(
      new JobDefinitionError('fromSource takes a Source, a WatermarkStrategy (WatermarkStrategy.noWatermarks() for none) and a source name'),
    );
    expect(() => env.fromSource(lines(root), WatermarkStrategy.noWatermarks(), '')).toThrow(new JobDefinitionError('fromSource needs a source name (a non-empty string)'));
    expect(() => env.fromSource(lines(root), WatermarkStrategy.noWatermarks(), 'n', Types.LONG() as never)).toThrow(
      new JobDefinitionError('n: a FileSource with a text line format reads STRING records, not LONG'),
    );
    expect(() => env.fromSource(new NumberSequenceSource(1, 2), WatermarkStrategy.noWatermarks(), 'n', Types.INT())).toThrow(
      new JobDefinitionError('n: a NumberSequenceSource reads LONG records, not INT'),
    );
    expect(() => env.fromSource(lines(root), WatermarkStrategy.noWatermarks(), 'n').setParallelism(2)).toThrow(
      new JobDefinitionError("the source 'Source: n' is not parallel: its parallelism must be 1"),
    );
  });

  it('fails the job before it starts when a FileSource’s path does not exist, naming the source and the path', async () => {
    const missing = join(root, 'missing');
    const env = environment();
    const error = await env
      .fromSource(lines(root, missing), WatermarkStrategy.noWatermarks(), 'inputs')
      .executeAndCollect()
      .catch((e: unknown) => e);
    expect(error).toEqual(new JobDefinitionError(`Source: inputs: cannot read ${JSON.stringify(missing)}: no such file or directory`));
  });
});

describe('the sources’ builders refuse bad arguments', () => {
  it('StreamFormat.textLineFormat reads UTF-8 only', () => {
    expect(StreamFormat.textLineFormat('utf8')).toEqual(StreamFormat.textLineFormat());
    expect(() => StreamFormat.textLineFormat('ISO-8859-1')).toThrow(
      new JobDefinitionError('StreamFormat.textLineFormat: Sluice reads text files as UTF-8 only, got the charset "ISO-8859-1"'),
    );
  });

  it('FileSource.forRecordStreamFormat needs a format and paths, each local, and makes them absolute', () => {
    const format = StreamFormat.textLineFormat();
    expect(() => FileSource.forRecordStreamFormat(format)).toThrow(new JobDefinitionError('FileSource.forRecordStreamFormat needs at least one path to read'));
    expect(() => FileSource.forRecordStreamFormat('text' as unknown as StreamFormat, '/in')).toThrow(
      new JobDefinitionError('FileSource.forRecordStreamFormat takes a StreamFormat (StreamFormat.textLineFormat()) and then the paths to read'),
    );
    expect(() => FileSource.forRecordStreamFormat(format, '/in', '')).toThrow(new JobDefinitionError('FileSource.forRecordStreamFormat: a path must be a non-empty string, got ""'));
    expect(() => FileSource.forRecordStreamFormat(format, 's3://bucket/in')).toThrow(
      new JobDefinitionError('FileSource "s3://bucket/in": s3:// is not supported; give a local file or directory (a path or a file:// URI)'),
    );
    expect(FileSource.forRecordStreamFormat(format, 'file:///data/in', '/more', 'rel/dir').build().paths).toEqual(['/data/in', '/more', join(process.cwd(), 'rel/dir')]);
  });

  it('monitorContinuously takes a positive interval; processStaticFileSet makes the source bounded again', () => {
    const builder = FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), '/in');
    expect(builder.monitorContinuously(Time.seconds(10)).build().monitorIntervalMs).toBe(10_000);
    expect(builder.processStaticFileSet().build().monitorIntervalMs).toBeNull();
    for (const bad of [0, -5, Number.NaN, '10' as unknown as number]) {
      expect(() => builder.monitorContinuously(bad)).toThrow(
        new JobDefinitionError(`FileSource: monitorContinuously() takes a positive number of milliseconds or a Time, got ${String(bad)}`),
      );
    }
  });

  it('NumberSequenceSource takes integer bounds in order', () => {
    expect(new NumberSequenceSource(3, 2n ** 62n).getTo()).toBe(2n ** 62n);
    expect(() => new NumberSequenceSource(5, 4)).toThrow(new JobDefinitionError('NumberSequenceSource: to (4) is before from (5)'));
    expect(() => new NumberSequenceSource(1.5, 4)).toThrow(
      new JobDefinitionError('NumberSequenceSource: from must be an integer (a safe integer number or a bigint), got 1.5'),
    );
    expect(() => new NumberSequenceSource(0, 2n ** 63n)).toThrow(
      new JobDefinitionError(`NumberSequenceSource: to must be in the int64 range (a LONG: -(2^63) to 2^63 - 1), got ${2n ** 63n}n`),
    );
  });
});
