// `npm run bench:torch`: convkit against PyTorch on this machine, the way issue 2 measures
// it. Each round runs ../shared/bench/torch_reference.py as shipped, the same script with
// glibc told to keep freed memory (PyTorch's figures otherwise swing by up to 2x with page
// faults; see README), and `npm run bench`, one after the other, so that the three share
// a minute on a machine whose speed drifts; then prints every minute's ratios and, per model,
// their medians, lowest values and how many minutes reached the target.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

import { Round, Throughput, parseThroughputs, ratioRows, ratioTable, summarize } from './torch_ratios';

const REPOSITORY = path.resolve(__dirname, '..');

/** glibc settings under which PyTorch keeps its freed tensors' memory instead of faulting it in again. */
export const KEEP_MEMORY = {
  MALLOC_MMAP_THRESHOLD_: '1000000000', MALLOC_TRIM_THRESHOLD_: '100000000000', MALLOC_TOP_PAD_: '1000000000',
};

interface Options { rounds: number; python: string; reference: string; target: number; benchArgs: string[] }

const USAGE = `usage: npm run bench:torch -- [--rounds N] [--python PATH] [--reference FILE] [--target RATIO] [-- bench flags]
  --rounds N        minutes to measure (default 6)
  --python PATH     the Python with torch (default /usr/bin/python3)
  --reference FILE  torch_reference.py (default ../shared/bench/torch_reference.py)
  --target RATIO    the ratio to count minutes against (default 2.5, issue 2's)
  flags after a second -- go to npm run bench (e.g. -- --models basic)`;

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | null {
  if (argv.includes('--help') || argv.includes('-h')) return null;
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv, benchArgs = split >= 0 ? argv.slice(split + 1) : [];
  const options: Options = {
    rounds: 6, python: '/usr/bin/python3', reference: path.resolve(REPOSITORY, '..', 'shared', 'bench', 'torch_reference.py'),
    target: 2.5, benchArgs,
  };
  for (let i = 0; i < own.length; i += 2) {
    const [flag, value] = [own[i], own[i + 1]];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--rounds' || flag === '--target') {
      const number = Number(value);
      if (!(number > 0) || (flag === '--rounds' && !Number.isInteger(number))) {
        throw new UsageError(`${flag} must be a positive ${flag === '--rounds' ? 'integer' : 'number'}, got ${value}`);
      }
      if (flag === '--rounds') options.rounds = number;
      else options.target = number;
    } else if (flag === '--python') {
      options.python = value;
    } else if (flag === '--reference') {
      options.reference = path.resolve(value);
    } else {
      throw new UsageError(`unknown flag ${flag}`);
    }
  }
  if (!existsSync(options.reference)) throw new UsageError(`--reference: no file ${options.reference}`);
  return options;
}

/** Runs a program and returns the throughputs it printed; a failure ends the comparison with its message. */
function run(what: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Throughput[] {
  const result = spawnSync(command, args, { cwd: REPOSITORY, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${what} exited with ${result.status}:\n${result.stderr.trim().split('\n').slice(-5).join('\n')}`);
  const throughputs = parseThroughputs(result.stdout);
  if (throughputs.length === 0) throw new Error(`${what} printed no JSON line with a model's images/s`);
  return throughputs;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  if (!o) return console.log(USAGE);
  const rounds: Round[] = [];
  for (let i = 0; i < o.rounds; i++) {
    const time = new Date().toISOString().slice(11, 19);
    const shipped = run('torch_reference.py', o.python, [o.reference]);
    const kept = run('torch_reference.py (memory kept)', o.python, [o.reference], KEEP_MEMORY);
    const convkit = run('npm run bench', process.execPath,
      ['--import', 'tsx', path.join(REPOSITORY, 'bench', 'train_bench.ts'), ...o.benchArgs]);
    rounds.push({ time, shipped, kept, convkit });
    console.error(`round ${i + 1} of ${o.rounds} (${time}) measured`);
  }
  const rows = ratioRows(rounds);
  console.log(ratioTable(rows));
  for (const s of summarize(rows, o.target)) {
    const line = (r: { median: number; lowest: number; atTarget: number }) =>
      `median ${r.median.toFixed(2)}x, lowest ${r.lowest.toFixed(2)}x, ${r.atTarget} of ${s.minutes} minutes at ${o.target}x or more`;
    console.log(`\n${s.model}:`);
    console.log(`  train against PyTorch as shipped:   ${line(s.ratios.trainShipped)}`);
    console.log(`  train against PyTorch, memory kept: ${line(s.ratios.trainKept)}`);
    console.log(`  infer against PyTorch as shipped:   ${line(s.ratios.inferShipped)}`);
    console.log(`  infer against PyTorch, memory kept: ${line(s.ratios.inferKept)}`);
  }
}

try {
  main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof UsageError ? `${message}\n${USAGE}` : `bench:torch: ${message}`);
  process.exitCode = 1;
}
