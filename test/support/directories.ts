/**
 * Test directories of files: `directories(prefix)` makes a temporary root, removed after the
 * test file's tests, and returns a maker of fresh directories under it, each holding `files`
 * (relative name → content; a content of null makes a subdirectory, listed before what it holds).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function directories(prefix: string): (files: Record<string, string | null>) => string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let made = 0;
  return (files) => {
    const dir = join(root, `d${made++}`);
    mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) {
      if (content === null) mkdirSync(join(dir, name));
      else writeFileSync(join(dir, name), content);
    }
    return dir;
  };
}
