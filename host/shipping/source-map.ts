/**
 * A source map for a function shipped as source (proto/functions.md, `map`): it maps positions
 * in the function's own text (line 0, column 0 being its first character) to the file the user
 * wrote, so that stack traces in the worker (errors, dead letters, logged errors) name the
 * user's file, line and column instead of the rebuilt source.
 *
 * The text is a slice of the script the host executed (Function.prototype.toString). Each of its
 * tokens is looked up in that script (through the script's own source map, from tsx or vite, when
 * it has one) and gets one mapping.
 */
import { tokenizer } from 'acorn';
import { SourceMapGenerator } from 'source-map-js';
import { originalAt, scriptSource, type FunctionLocation } from './script-inspector.ts';

export interface ShippedSourceMap {
  sources: string[];
  /** Source map v3 mappings (base64 VLQ), relative to the start of the function's text. */
  mappings: string;
}

export function shippedSourceMap(location: FunctionLocation, source: string): ShippedSourceMap | null {
  const script = scriptSource(location.scriptId);
  if (script === null) return null;
  const start = startOf(script, source, location);
  if (start === null) return null;
  const generator = new SourceMapGenerator();
  let mapped = 0;
  for (const token of tokenStarts(source)) {
    const line = start.line + token.line;
    const column = token.line === 0 ? start.column + token.column : token.column;
    const original = originalAt(location.scriptId, line, column);
    if (original === null) continue;
    generator.addMapping({
      generated: { line: token.line + 1, column: token.column },
      original: { line: original.line + 1, column: original.column },
      source: original.source,
    });
    mapped++;
  }
  if (mapped === 0) return null;
  const json = generator.toJSON();
  return { sources: json.sources, mappings: json.mappings };
}

const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;

/**
 * Line and column (0-based) in `script` where the function's text begins: the occurrence of
 * `source` that contains V8's position of the function (or, failing that, the first after it).
 */
function startOf(script: string, source: string, location: FunctionLocation): { line: number; column: number } | null {
  const lineStarts = [0];
  for (const m of script.matchAll(LINE_BREAK)) lineStarts.push(m.index + m[0].length);
  const at = (lineStarts[location.line] ?? -1) + location.column;
  if (at < 0) return null;
  let offset = script.lastIndexOf(source, at);
  if (offset < 0 || offset + source.length <= at) offset = script.indexOf(source, at);
  if (offset < 0) return null;
  let line = 0;
  while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
  return { line, column: offset - lineStarts[line]! };
}

/** Where each token of the text starts (0-based line and column), as far as it tokenizes. */
function tokenStarts(source: string): { line: number; column: number }[] {
  const starts: { line: number; column: number }[] = [];
  try {
    for (const token of tokenizer(source, { ecmaVersion: 'latest', locations: true, allowHashBang: true })) {
      starts.push({ line: token.loc!.start.line - 1, column: token.loc!.start.column });
    }
  } catch {
    // A method's text or newer syntax may stop the tokenizer: what came before it still maps.
  }
  return starts;
}
