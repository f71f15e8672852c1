// What the docs point at exists: every `npx convkit ...` and `npm run docs:figures ...` line
// names a real command and real flags, every convkit line of the Keras table is one the
// page's programs run, and every figure the tutorial shows is committed and decodes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';

import { REPOSITORY, codeBlocks, compact } from './doc_blocks';

const DOCS = ['docs/tutorial.md', 'docs/coming-from-keras.md'];
const CLI = path.join(REPOSITORY, 'src', 'cli', 'index.ts');
const FIGURES_SCRIPT = path.join(REPOSITORY, 'docs', 'figures.ts');

function read(doc: string): string {
  return readFileSync(path.join(REPOSITORY, doc), 'utf8');
}

/** `--help` of a command, run as the docs would run it. */
function help(script: string, words: string[]): { ok: boolean; text: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...words, '--help'], { cwd: REPOSITORY, encoding: 'utf8' });
  return { ok: result.status === 0, text: `${result.stdout}${result.stderr}` };
}

/** Shell lines of the docs' sh blocks that start with `prefix`, comments removed. */
function shellLines(prefix: string): Array<{ doc: string; words: string[] }> {
  return DOCS.flatMap((doc) => codeBlocks(read(doc), doc)
    .filter((block) => block.language === 'sh')
    .flatMap((block) => block.code.split('\n'))
    .map((line) => line.replace(/\s#.*$/, '').trim())
    .filter((line) => line.startsWith(prefix))
    .map((line) => ({ doc, words: line.slice(prefix.length).trim().split(/\s+/).filter((word) => word !== '--') })));
}

function assertFlagsKnown(flags: string[], helpText: string, where: string): void {
  for (const flag of flags) {
    assert.match(helpText, new RegExp(`${flag}\\b`), `${where}: ${flag} is not a flag of this command:\n${helpText}`);
  }
}

test('every `npx convkit` line of the docs names a real command and real flags', () => {
  const lines = shellLines('npx convkit ');
  assert.ok(lines.length >= 5, 'the docs show the command line');
  const helpOf = new Map<string, { ok: boolean; text: string }>();
  const cachedHelp = (words: string[]) => {
    const key = words.join(' ');
    if (!helpOf.has(key)) helpOf.set(key, help(CLI, words));
    return helpOf.get(key)!;
  };
  for (const { doc, words } of lines) {
    const where = `${doc}: npx convkit ${words.join(' ')}`;
    // `data preview` is a command of two words; `summary basic` is a command and its argument.
    const twoWords = words.length > 1 && !words[1].startsWith('-') ? cachedHelp(words.slice(0, 2)) : undefined;
    const command = twoWords?.ok && twoWords.text.startsWith(`Usage: convkit ${words[0]} ${words[1]} `) ? words.slice(0, 2) : words.slice(0, 1);
    const commandHelp = cachedHelp(command);
    assert.ok(commandHelp.ok && commandHelp.text.startsWith(`Usage: convkit ${command.join(' ')}`), `${where}: no such command\n${commandHelp.text}`);
    assertFlagsKnown(words.filter((word) => word.startsWith('--')), commandHelp.text, where);
  }
});

test('every `npm run docs:figures` line uses flags the figures command has', () => {
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
  assert.match(scripts['docs:figures'] ?? '', /docs\/figures\.ts/);
  const figuresHelp = help(FIGURES_SCRIPT, []);
  assert.ok(figuresHelp.ok, figuresHelp.text);
  const inline = [...read('docs/tutorial.md').matchAll(/`npm run docs:figures(?: -- )?([^`]*)`/g)].map((match) => match[1]);
  const lines = [...shellLines('npm run docs:figures').map(({ words }) => words.join(' ')), ...inline];
  assert.ok(lines.length > 0, 'the tutorial says how its figures are made');
  for (const line of lines) assertFlagsKnown(line.split(/\s+/).filter((word) => word.startsWith('--')), figuresHelp.text, `npm run docs:figures ${line}`);
});

test('every convkit line of the Keras table is run by the programs on that page', () => {
  const page = read('docs/coming-from-keras.md');
  const programs = compact(codeBlocks(page, 'docs/coming-from-keras.md').filter((block) => block.language === 'ts').map((block) => block.code).join('\n'));
  const rows = page.split('\n').filter((line) => /^\| `/.test(line));
  assert.ok(rows.length >= 15, 'the table pairs the Keras lines with convkit lines');
  for (const row of rows) {
    const convkitCell = row.split(' | ')[1];
    const spans = [...convkitCell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    assert.ok(spans.length > 0, `no convkit line in: ${row}`);
    for (const span of spans) assert.ok(programs.includes(compact(span)), `"${span}" is in the table but no program on the page runs it`);
  }
});

test('every figure the tutorial shows is committed, a PNG of a sensible size', async () => {
  const figures = [...read('docs/tutorial.md').matchAll(/!\[[^\]]+\]\((figures\/[\w-]+\.png)\)/g)].map((match) => match[1]);
  assert.ok(figures.length >= 10, `the tutorial shows its figures (found ${figures.length})`);
  for (const figure of figures) {
    const file = path.join(REPOSITORY, 'docs', figure);
    assert.ok(existsSync(file), `${figure} is shown in docs/tutorial.md but missing; run npm run docs:figures`);
    const { format, width = 0, height = 0 } = await sharp(file).metadata();
    assert.equal(format, 'png', figure);
    assert.ok(width >= 300 && width <= 1600 && height >= 200 && height <= 1200, `${figure} is ${width}x${height}`);
  }
});
