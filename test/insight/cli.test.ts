import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';

import { main } from '../../src/cli';
import { saveModel } from '../../src/models/io';
import { tinyClassifier } from './fixtures';

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-cli-'));
const run = path.join(folder, 'runs', 'tiny');
const data = path.join(folder, 'shapes');
const classNames = ['blue', 'green', 'red'];

/** Runs the CLI in-process and returns its exit code and what it printed. */
async function convkit(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error, write] = [console.log, console.error, process.stderr.write];
  console.log = (...parts: unknown[]) => { out.push(parts.join(' ')); };
  console.error = (...parts: unknown[]) => { err.push(parts.join(' ')); };
  process.stderr.write = ((chunk: string) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    [console.log, console.error, process.stderr.write] = [log, error, write];
  }
}

async function writeSquare(file: string, color: [number, number, number], size: number, offset: number): Promise<void> {
  const pixels = Buffer.alloc(size * size * 3, 30);
  for (let y = offset; y < offset + size / 2; y++) {
    for (let x = offset; x < offset + size / 2; x++) pixels.set(color, (y * size + x) * 3);
  }
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
}

before(async () => {
  process.env.CONVKIT_CACHE = path.join(folder, 'cache');
  const colors: Array<[number, number, number]> = [[40, 60, 230], [40, 220, 60], [230, 50, 40]];
  for (const [c, name] of classNames.entries()) {
    fs.mkdirSync(path.join(data, name), { recursive: true });
    for (let i = 0; i < 6; i++) await writeSquare(path.join(data, name, `${i}.png`), colors[c], 16, i);
  }
  await writeSquare(path.join(folder, 'big.png'), [230, 50, 40], 300, 40);
  fs.writeFileSync(path.join(folder, 'notes.png'), 'not a picture at all');
  await saveModel(tinyClassifier(), run, {
    classNames, inputShape: [16, 16, 3], normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
    trainingConfig: { data, validation: 6, seed: 3 },
  });
  fs.writeFileSync(path.join(run, 'history.csv'), 'epoch,loss,acc,val_loss,val_acc,lr\n1,1.0,0.4,1.1,0.3,0.001\n2,0.8,0.6,1.0,0.5,0.001\n');
});
after(() => fs.rmSync(folder, { recursive: true, force: true }));

describe('convkit predict', () => {
  it('prints the top-3 classes of images of any size', async () => {
    const { code, stdout } = await convkit('predict', run, path.join(folder, 'big.png'), path.join(data, 'red', '0.png'));
    assert.equal(code, 0);
    const blocks = stdout.split('\n\n');
    assert.equal(blocks.length, 2);
    assert.match(blocks[0], /big\.png\n {2}1\. (blue|green|red)\s+\d+\.\d%\n {2}2\. .*\n {2}3\. /);
  });

  it('prints JSON for machines', async () => {
    const { code, stdout } = await convkit('predict', run, path.join(folder, 'big.png'), '--json', '--top', '2');
    assert.equal(code, 0);
    const [result] = JSON.parse(stdout);
    assert.equal(result.predictions.length, 2);
    assert.ok(classNames.includes(result.predictions[0].class));
    assert.ok(result.predictions[0].probability >= result.predictions[1].probability);
  });

  it('says in one line which file is not an image', async () => {
    const { code, stderr } = await convkit('predict', run, path.join(folder, 'notes.png'));
    assert.equal(code, 1);
    assert.match(stderr, /^convkit: .*notes\.png is not an image convkit can read/);
    assert.equal(stderr.trim().split('\n').length, 1);
  });
});

describe('--tta of evaluate and predict', () => {
  it('evaluates and predicts with test-time augmentation, and says so', async () => {
    const evaluated = await convkit('evaluate', run, '--tta', '2');
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stderr, /evaluating on 6 validation images \(test-time augmentation: mirror and translate\)/);
    assert.match(evaluated.stdout, /validation\s+6\s+\d+\.\d\d%/);
    const predicted = await convkit('predict', run, path.join(folder, 'big.png'), '--json', '--tta', '1');
    assert.equal(predicted.code, 0, predicted.stderr);
    const [result] = JSON.parse(predicted.stdout);
    assert.ok(Math.abs(result.predictions.reduce((sum: number, p: { probability: number }) => sum + p.probability, 0) - 1) < 1e-5);
  });

  it('names the flag and the levels there are when the level is wrong', async () => {
    for (const [command, ...rest] of [['evaluate', run], ['predict', run, path.join(folder, 'big.png')]]) {
      for (const level of ['3', 'mirror', '']) {
        const { code, stderr } = await convkit(command, ...rest, '--tta', level);
        assert.notEqual(code, 0, `${command} --tta '${level}'`);
        assert.match(stderr, /option '--tta <level>' argument '.*' is invalid\. expected 0 \(none\), 1 \(mirror.*\) or 2 \(mirror and translate\)/);
      }
    }
  });
});

describe('convkit evaluate and visualize', () => {
  it('evaluate prints accuracy per split and the confusion matrix with class names', async () => {
    const { code, stdout } = await convkit('evaluate', run);
    assert.equal(code, 0);
    assert.match(stdout, /training\s+12\s+\d+\.\d\d%/);
    assert.match(stdout, /validation\s+6\s+\d+\.\d\d%/);
    assert.match(stdout, /true \\ predicted\s+blue\s+green\s+red\s+accuracy/);
    const validationOnly = await convkit('evaluate', run, '--split', 'validation');
    assert.equal(validationOnly.code, 0, validationOnly.stderr);
    assert.match(validationOnly.stdout, /validation\s+6\s+\d+\.\d\d%/);
    assert.doesNotMatch(validationOnly.stdout, /training\s+12/);
    const noTest = await convkit('evaluate', run, '--split', 'test');
    assert.equal(noTest.code, 1);
    assert.match(noTest.stderr, /^convkit: --split test: the run's data has no test images$/m);
    const wrong = await convkit('evaluate', run, '--split', 'train');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /argument 'train' is invalid\. Allowed choices are training, validation, test, all/);
  });

  it('visualize writes the report and its PNG files', async () => {
    const out = path.join(folder, 'report');
    const { code, stdout } = await convkit('visualize', run, 'all', '--out', out, '--steps', '2', '--filters', '2', '--images', '3');
    assert.equal(code, 0, stdout);
    assert.match(stdout, /wrote 12 PNG files and .*report\.html/);
    assert.ok(fs.statSync(path.join(out, 'report.html')).size > 10_000);
    assert.ok(fs.existsSync(path.join(out, 'training_curves.png')));
  });

  it('turns bad input into one clear line and a non-zero exit code', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['visualize', folder], /holds no saved model/],
      [['visualize', path.join(folder, 'nowhere')], /run folder .*nowhere does not exist/],
      [['visualize', run, 'results', '--images', '50'], /asked for 50 images but the validation data has only 6/],
      [['visualize', run, 'pictures'], /unknown part "pictures"/],
      [['evaluate', run, '--data', path.join(folder, 'missing')], /missing/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr } = await convkit(...argv);
      assert.notEqual(code, 0, argv.join(' '));
      const lines = stderr.trim().split('\n').filter((line) => line.startsWith('convkit:'));
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0], message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
