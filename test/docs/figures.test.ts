// `npm run docs:figures` works: on a few hundred real images and one short epoch (--quick)
// it draws exactly the figures docs/tutorial.md shows, each a PNG that decodes, of a
// sensible size and not blank.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';

import { temporaryFolder } from '../training/helpers';
import { REPOSITORY } from './doc_blocks';
import { writeTinyImageFolder } from './tiny_data';

test('npm run docs:figures -- --quick draws every figure of the tutorial', async () => {
  const root = temporaryFolder('docs-figures');
  const data = path.join(root, 'images');
  const out = path.join(root, 'figures');
  const dataDescription = await writeTinyImageFolder(data, 40);
  const run = spawnSync('npm', ['run', '--silent', 'docs:figures', '--', '--out', out, '--quick', '--data', data], {
    cwd: REPOSITORY, encoding: 'utf8', env: { ...process.env, CONVKIT_CACHE: path.join(root, 'cache') },
  });
  assert.equal(run.status, 0, `on ${dataDescription}:\n${run.stdout}\n${run.stderr}`);

  const shown = [...readFileSync(path.join(REPOSITORY, 'docs', 'tutorial.md'), 'utf8').matchAll(/\]\(figures\/([\w-]+\.png)\)/g)]
    .map((match) => match[1]).sort();
  assert.ok(shown.length >= 10, 'the tutorial shows its figures');
  assert.deepEqual(readdirSync(out).sort(), [...new Set(shown)], 'the command draws exactly the figures the tutorial shows');

  for (const name of shown) {
    const image = sharp(path.join(out, name));
    const { format, width = 0, height = 0 } = await image.metadata();
    assert.equal(format, 'png', name);
    assert.ok(width >= 300 && width <= 1600 && height >= 200 && height <= 1200, `${name} is ${width}x${height}`);
    // A figure that drew nothing would be one flat colour.
    const { channels } = await image.stats();
    assert.ok(channels.slice(0, 3).some((channel) => channel.stdev > 10), `${name} looks blank`);
  }
});
