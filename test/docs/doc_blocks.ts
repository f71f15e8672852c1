// The code blocks of the docs, as the tests run them. The conventions (docs/tutorial.md
// tells readers the same):
//   - every ```ts block is a whole program, run in order, each in its own process, all in
//     one scratch folder, so a later block can open what an earlier one saved (runs/first);
//   - its first line names its file, `// play/NAME.ts`; `../src` imports resolve to convkit;
//   - `// slow: run with LIMIT=300 EPOCHS=1` sets those environment variables for the run,
//     and a block may read only the variables its slow line sets;
//   - a comment `// → TEXT` (at the end of a line or on its own) is output the block must
//     print; whitespace is ignored when comparing.
// ```sh blocks are not run; their `npx convkit ...` lines are checked against the CLI's help.
import { spawn } from 'child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';

export const REPOSITORY = path.join(__dirname, '..', '..');

export interface CodeBlock {
  /** The markdown file and the 1-based line of the block's first code line. */
  source: string;
  line: number;
  language: string;
  code: string;
}

export interface Program extends CodeBlock {
  /** Relative to the scratch folder, e.g. play/train.ts. */
  file: string;
  env: Record<string, string>;
  expectedOutput: string[];
}

/** Every fenced block of a markdown text, in order. */
export function codeBlocks(markdown: string, source: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  let open: { language: string; line: number; body: string[] } | null = null;
  lines.forEach((text, index) => {
    const fence = /^```\s*([\w-]*)\s*$/.exec(text);
    if (!open && fence) open = { language: fence[1], line: index + 2, body: [] };
    else if (open && /^```\s*$/.test(text)) {
      blocks.push({ source, line: open.line, language: open.language, code: open.body.join('\n') });
      open = null;
    } else open?.body.push(text);
  });
  if (open) throw new Error(`${source}: the code block opened at line ${(open as { line: number }).line - 1} is never closed`);
  return blocks;
}

const FILE_LINE = /^\/\/ (play\/[\w-]+\.ts)\s*$/;
const SLOW_LINE = /^\/\/ slow: run with ((?:\w+=\S+\s*)+)$/m;
const EXPECTED = /\/\/ → (.+)$/gm;

/** The TypeScript blocks as programs; throws when one breaks the conventions above. */
export function programs(blocks: CodeBlock[]): Program[] {
  return blocks.filter((block) => block.language === 'ts' || block.language === 'typescript').map((block) => {
    const where = `${block.source}:${block.line}`;
    const file = FILE_LINE.exec(block.code.split('\n')[0])?.[1];
    if (!file) throw new Error(`${where}: a TypeScript block must start with its file name, e.g. "// play/example.ts"`);
    const env: Record<string, string> = {};
    const slow = SLOW_LINE.exec(block.code)?.[1];
    for (const setting of slow?.trim().split(/\s+/) ?? []) {
      const [name, value] = setting.split('=');
      env[name] = value;
    }
    for (const [, name] of block.code.matchAll(/process\.env\.(\w+)/g)) {
      if (!(name in env)) throw new Error(`${where}: reads process.env.${name}, which its "// slow: run with ..." line does not set`);
    }
    const expectedOutput = [...block.code.matchAll(EXPECTED)].map((match) => match[1]);
    return { ...block, file, env, expectedOutput };
  });
}

/** Whitespace does not count: console.log lays arrays out its own way. */
export function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

/** A folder where `play/NAME.ts` files can import `../src` and the repository's packages. */
export function makeScratchFolder(folder: string): void {
  mkdirSync(path.join(folder, 'play'), { recursive: true });
  symlinkSync(path.join(REPOSITORY, 'src'), path.join(folder, 'src'), 'dir');
  symlinkSync(path.join(REPOSITORY, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
}

export interface ProgramRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  seconds: number;
}

export function writeProgram(program: Program, folder: string): void {
  writeFileSync(path.join(folder, program.file), `${program.code}\n`);
}

/** Writes the program into the scratch folder and runs it there with tsx, as a reader would. */
export function runProgram(program: Program, folder: string, env: Record<string, string>, timeoutMs: number): Promise<ProgramRun> {
  writeProgram(program, folder);
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', program.file], {
    cwd: folder, env: { ...process.env, ...env, ...program.env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs,
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve) => child.on('close', (code, signal) => {
    resolve({ code, signal, output, seconds: (Date.now() - started) / 1000 });
  }));
}
