/**
 * Functions that use the top-level consts, functions and classes of the file they are written
 * in, a file workers never import (this test file, as a job file): the values travel with the
 * functions, and the results are the same in every mode and under every bundle setting.
 */
import { describe, expect, it } from 'vitest';
import { KeyedProcessFunction, OutputTag, Types, type Collector, type KeyedProcessContext } from '../../host/index.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';

const MIN_LENGTH = 3;
const STOP_WORDS = new Set(['the', 'and']);
const SHORT = new OutputTag<string>('short', Types.STRING());
const SCORING = { bonus: 1 };
SCORING.bonus = 10;

function weigh(word: string): number {
  return word.length * SCORING.bonus;
}

class Router extends KeyedProcessFunction<string, string, [string, number]> {
  processElement(word: string, ctx: KeyedProcessContext<string>, out: Collector<[string, number]>): void {
    if (word.length < MIN_LENGTH) ctx.output(SHORT, word);
    else out.collect([word, this.score(word)]);
  }
  protected score(word: string): number {
    return weigh(word);
  }
}

// Its base class is named only by its `extends` clause.
class Tally extends Router {
  protected override score(word: string): number {
    return super.score(word) + 1;
  }
}

const TEXT = 'the cat and the hat sat on a mat with another cat';

describe.each(MODES)('%s mode', (mode) => {
  it.each(Object.keys(BUNDLE_SETTINGS))('%s', async (label) => {
    const env = environment(mode, BUNDLE_SETTINGS[label]);
    const kept = env
      .fromCollection(TEXT.split(' '), Types.STRING())
      .filter((w) => !STOP_WORDS.has(w))
      .keyBy((w) => w)
      .process(new Tally(), Types.TUPLE([Types.STRING(), Types.LONG()]));
    const long = collect(kept);
    const short = collect(kept.getSideOutput(SHORT));
    const result = await env.execute('module values');
    expect(long).toEqual([
      ['cat', 31],
      ['hat', 31],
      ['sat', 31],
      ['mat', 31],
      ['with', 41],
      ['another', 71],
      ['cat', 31],
    ]);
    expect(short).toEqual(['on', 'a']);
    // Listed in the plan's order, whichever worker came up first.
    expect(result.operators.map((o) => `${o.kind} ${o.name} ${o.recordsIn}→${o.recordsOut}`)).toEqual([
      'source Source: Collection Source 0→12',
      'udf Filter 12→9',
      'udf Key By 9→9',
      // 7 on the main output and 2 on the side output.
      'udf KeyedProcess 9→9',
      'sink Sink: Unnamed 7→0',
      'sink Sink: Unnamed 2→0',
    ]);
  });
});
