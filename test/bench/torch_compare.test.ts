// `npm run bench:torch`: the ratios it computes from the engines' JSON lines, and how it
// fails (a clear message and exit code 1, never a stack trace).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { Round, parseThroughputs, ratioRows, ratioTable, summarize } from '../../bench/torch_ratios';

const REPOSITORY = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPOSITORY, 'bench', 'torch_compare.ts');

describe('bench:torch ratios', () => {
  it('reads the JSON lines among other output, skipping lines that are not throughputs', () => {
    const output = [
      'sgemm: 183 GFLOP/s',
      '{"engine":"pytorch-1.13.1","model":"basic","train_img_per_s":532.5,"infer_img_per_s":1238}',
      '{"shape":"gemm 256^3","gflops":300}',
      '{not json',
      '  {"engine":"convkit-native","model":"improved","train_img_per_s":2000,"infer_img_per_s":8000.5}  ',
    ].join('\n');
    assert.deepEqual(parseThroughputs(output), [
      { model: 'basic', train: 532.5, infer: 1238 }, { model: 'improved', train: 2000, infer: 8000.5 },
    ]);
  });

  const rounds: Round[] = [
    {
      time: '00:00:01',
      shipped: [{ model: 'basic', train: 500, infer: 400 }, { model: 'improved', train: 300, infer: 200 }],
      kept: [{ model: 'basic', train: 1600, infer: 4000 }, { model: 'improved', train: 700, infer: 2000 }],
      convkit: [{ model: 'basic', train: 4000, infer: 16000 }, { model: 'improved', train: 2100, infer: 8000 }],
    },
    {
      time: '00:00:40',
      shipped: [{ model: 'basic', train: 1000, infer: 500 }],
      kept: [{ model: 'basic', train: 2000, infer: 5000 }],
      // The improved model has no PyTorch figures this minute: no row for it.
      convkit: [{ model: 'basic', train: 3000, infer: 15000 }, { model: 'improved', train: 2000, infer: 8000 }],
    },
  ];

  it('pairs each convkit figure with both PyTorch runs of the same minute and model', () => {
    const rows = ratioRows(rounds);
    assert.deepEqual(rows.map((r) => [r.time, r.model, r.trainShipped, r.trainKept, r.inferShipped, r.inferKept]), [
      ['00:00:01', 'basic', 8, 2.5, 40, 4],
      ['00:00:01', 'improved', 7, 3, 40, 4],
      ['00:00:40', 'basic', 3, 1.5, 30, 3],
    ]);
    const table = ratioTable(rows).split('\n');
    assert.equal(table.length, 2 + rows.length);
    assert.equal(table[4], '| 00:00:40 | basic | 1000 / 500 | 2000 / 5000 | 3000 / 15000 | 3.00x / 1.50x | 30.00x / 3.00x |');
  });

  it('summarizes each model: median, lowest, and minutes at the target', () => {
    const [basic, improved] = summarize(ratioRows(rounds), 2.5);
    assert.equal(basic.model, 'basic');
    assert.equal(basic.minutes, 2);
    assert.deepEqual(basic.ratios.trainKept, { median: 2, lowest: 1.5, atTarget: 1 });
    assert.deepEqual(basic.ratios.trainShipped, { median: 5.5, lowest: 3, atTarget: 2 });
    assert.deepEqual(improved.ratios.inferKept, { median: 4, lowest: 4, atTarget: 1 });
    assert.equal(summarize(ratioRows(rounds), 3.5)[0].ratios.trainShipped.atTarget, 1);
  });
});

describe('bench:torch failures', () => {
  const runScript = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: REPOSITORY, encoding: 'utf8' });

  it('names a missing reference script and exits 1', () => {
    const result = runScript(['--reference', '/nonexistent/torch_reference.py']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--reference: no file \/nonexistent\/torch_reference\.py/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('rejects a bad flag value, naming the flag', () => {
    const result = runScript(['--rounds', '1.5']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--rounds must be a positive integer, got 1\.5/);
  });

  /** Runs one round with node standing in for a Python without torch, on a reference script of `source`. */
  const withReference = (source: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-torch-'));
    try {
      const reference = path.join(dir, 'torch_reference.js');
      writeFileSync(reference, source);
      return runScript(['--python', process.execPath, '--reference', reference, '--rounds', '1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('reports a reference run that prints no results, and exits 1', () => {
    const result = withReference("console.log('sgemm only');\n");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /torch_reference\.py printed no JSON line with a model's images\/s/);
  });

  it('reports a reference run that fails, with its last error lines, and exits 1', () => {
    const result = withReference("console.error('ModuleNotFoundError: No module named torch'); process.exit(3);\n");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /torch_reference\.py exited with 3:\nModuleNotFoundError: No module named torch/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
