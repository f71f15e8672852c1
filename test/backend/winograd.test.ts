import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { assertSuitePasses } from './child_suite';

// conv.test.ts checks the Winograd convolutions where convkit chooses them. Here every 3x3
// stride-1 convolution of that suite is forced onto them (CONVKIT_WINOGRAD=all: channels 3
// and 5, batch 1, odd sizes, both paddings), on the AVX2 and the portable transforms.
describe('Winograd on every 3x3 stride-1 convolution', () => {
  const isas: Array<[string, Record<string, string>]> = [['AVX2 where the CPU has it', {}],
    ['portable', { CONVKIT_ISA: 'portable' }]];
  for (const [isa, env] of isas) {
    it(`conv tests pass with CONVKIT_WINOGRAD=all, ${isa}`, () => {
      assertSuitePasses(['test/backend/conv.test.ts'], { ...env, CONVKIT_WINOGRAD: 'all' });
    });
  }

  it('CONVKIT_WINOGRAD=0 turns it off', () => {
    const code = `
      const { backend, tf } = require('./src');
      const { geometryOf } = require('./src/backend/kernel_utils');
      const info = tf.backend_util.computeConv2DInfo([8, 16, 16, 64], [3, 3, 64, 64], 1, 1, 'same');
      console.log(backend.addon.usesWinograd(geometryOf(info)));`;
    const uses = (setting: string) => spawnSync(process.execPath, ['--import', 'tsx', '-e', code],
      { env: { ...process.env, CONVKIT_WINOGRAD: setting }, encoding: 'utf8' }).stdout.trim();
    assert.deepEqual([uses('1'), uses('0')], ['true', 'false']);
  });
});
