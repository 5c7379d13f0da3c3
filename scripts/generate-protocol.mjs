// Generates shared/generated/protocol.{js,d.ts} from proto/ with protobufjs-cli (run by
// `npm install` through the prepare script, and by `npm run generate`). The output is never
// committed and never edited by hand; the one fix-up below is part of generating it:
// protobufjs is CommonJS, so under Node's ESM loader the generated namespace import
// (`import * as $protobuf`) has no named exports and must be a default import.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'shared/generated');
const bin = (name) => join(root, 'node_modules/.bin', name);
const protos = ['common', 'control', 'data', 'state', 'logging'].map((p) => `proto/${p}.proto`);

mkdirSync(out, { recursive: true });
execFileSync(
  bin('pbjs'),
  ['-t', 'static-module', '-w', 'es6', '--dependency', 'protobufjs/minimal.js', '--force-number', '--no-verify',
    '--no-convert', '--no-delimited', '-p', 'proto', '-o', join(out, 'protocol.js'), ...protos],
  { cwd: root, stdio: 'inherit' },
);
const js = join(out, 'protocol.js');
const source = readFileSync(js, 'utf8');
const fixed = source.replace('import * as $protobuf from "protobufjs/minimal.js";', 'import $protobuf from "protobufjs/minimal.js";');
if (fixed === source) throw new Error('generate-protocol: the protobufjs import was not where expected');
writeFileSync(js, fixed);
execFileSync(bin('pbts'), ['--no-comments', '-o', join(out, 'protocol.d.ts'), js], { cwd: root, stdio: 'inherit' });
