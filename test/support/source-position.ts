/** Positions as stack frames show them (`path:line:column`, 1-based), in files and through shipped source maps. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SourceMapConsumer } from 'source-map-js';

/** Where `text` first appears in the file. */
export function positionOf(fileUrl: string, text: string): string {
  const path = fileURLToPath(fileUrl);
  const lines = readFileSync(path, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${path} does not contain ${text}`);
  return `${path}:${line + 1}:${lines[line]!.indexOf(text) + 1}`;
}

/** Where a source node's `map` leads the first occurrence of `token` in its shipped `source`. */
export function mappedPositionOf(node: Record<string, unknown>, token: string): string {
  const source = node['source'] as string;
  const map = node['map'] as { sources: string[]; mappings: string };
  const before = source.slice(0, source.indexOf(token)).split('\n');
  const at = new SourceMapConsumer({ version: '3', names: [], ...map }).originalPositionFor({
    line: before.length,
    column: before.at(-1)!.length,
  });
  return `${fileURLToPath(at.source)}:${at.line}:${at.column + 1}`;
}
