/** Where a piece of text first appears in a file: `path:line:column` (1-based), as a stack frame shows it. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function positionOf(fileUrl: string, text: string): string {
  const path = fileURLToPath(fileUrl);
  const lines = readFileSync(path, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line < 0) throw new Error(`${path} does not contain ${text}`);
  return `${path}:${line + 1}:${lines[line]!.indexOf(text) + 1}`;
}
