// Every TypeScript block of docs/tutorial.md and docs/coming-from-keras.md runs, in order,
// on a few hundred real CIFAR-10 images, and prints what its `// → ...` comments say.
// The conventions are in doc_blocks.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';

import { temporaryFolder } from '../training/helpers';
import { REPOSITORY, codeBlocks, compact, makeScratchFolder, programs, runProgram, writeProgram } from './doc_blocks';
import { writeTinyImageFolder } from './tiny_data';

const DOCS = ['docs/tutorial.md', 'docs/coming-from-keras.md'];
/** Well above the slowest block on tiny data (a few seconds), well below a forgotten full run. */
const BLOCK_TIMEOUT_MS = 90_000;

const root = temporaryFolder('docs-blocks');
const data = path.join(root, 'images');
let dataDescription = '';

before(async () => {
  dataDescription = await writeTinyImageFolder(data, 40);
});

for (const doc of DOCS) {
  test(`${doc}: every TypeScript block runs and prints what it says`, async (t) => {
    const found = programs(codeBlocks(readFileSync(path.join(REPOSITORY, doc), 'utf8'), doc));
    assert.ok(found.length > 0, `${doc} has no TypeScript blocks`);
    const scratch = path.join(root, path.basename(doc, '.md'));
    makeScratchFolder(scratch);
    const env = { CONVKIT_DATA: data, CONVKIT_CACHE: path.join(root, 'cache') };
    for (const program of found) {
      await t.test(`${program.file} (${program.source}:${program.line})`, async () => {
        const run = await runProgram(program, scratch, env, BLOCK_TIMEOUT_MS);
        const context = `${program.source}:${program.line} (${program.file}, on ${dataDescription}) `
          + `${run.signal ? `was stopped by ${run.signal} after ${run.seconds.toFixed(0)} s` : `exited with ${run.code}`}:\n${run.output.slice(-3000)}`;
        assert.equal(run.code, 0, context);
        for (const expected of program.expectedOutput) {
          assert.ok(compact(run.output).includes(compact(expected)), `it should print "${expected}"; ${context}`);
        }
      });
    }
  });
}

// tsx strips types without checking them, and a misspelt option is simply ignored at run
// time; the compiler, with the project's strict settings, catches both.
test('every TypeScript block of the docs type-checks', () => {
  const folder = path.join(root, 'typecheck');
  /** Where each scratch file's block starts in its doc, to report errors by doc line. */
  const firstLines = new Map<string, { doc: string; line: number }>();
  for (const doc of DOCS) {
    const scratch = path.join(folder, path.basename(doc, '.md'));
    makeScratchFolder(scratch);
    for (const program of programs(codeBlocks(readFileSync(path.join(REPOSITORY, doc), 'utf8'), doc))) {
      writeProgram(program, scratch);
      firstLines.set(path.join(path.basename(doc, '.md'), program.file), { doc, line: program.line });
    }
  }
  writeFileSync(path.join(folder, 'tsconfig.json'), JSON.stringify({
    extends: path.join(REPOSITORY, 'tsconfig.json'),
    // The repository's rootDir would not hold these files; nothing is emitted anyway.
    compilerOptions: { noEmit: true, rootDir: '/' },
    include: ['*/play/*.ts'],
  }));
  const compiler = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', '.'], { cwd: folder, encoding: 'utf8' });
  const errors = compiler.stdout.replace(/^(\S+?\.ts)\((\d+),(\d+)\)/gm, (whole, file: string, line: string, column: string) => {
    const block = firstLines.get(file);
    return block ? `${block.doc}:${block.line + Number(line) - 1}:${column}` : whole;
  });
  assert.equal(compiler.status, 0, errors);
});
