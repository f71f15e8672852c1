import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { assertSuitePasses } from './child_suite';

// conv.test.ts checks the Winograd convolutions where convkit chooses them. Here every 3x3
// stride-1 convolution of that suite is forced onto each variant, F(2x2, 3x3), F(3x3, 3x3),
// F(4x4, 3x3) and F(5x5, 3x3) (CONVKIT_WINOGRAD=f2 / f3 / f4 / f5: channels 3 and 5, batch 1, sizes that leave
// partial edge tiles, both paddings, fused bias + relu), on the AVX-512 (where the CPU has
// it), AVX2 and portable transforms.
describe('Winograd on every 3x3 stride-1 convolution', () => {
  const isas: Array<[string, Record<string, string>]> = [['the widest instruction set the CPU has', {}],
    ['AVX2', { CONVKIT_ISA: 'avx2' }], ['portable', { CONVKIT_ISA: 'portable' }]];
  for (const variant of ['f2', 'f3', 'f4', 'f5']) {
    for (const [isa, env] of isas) {
      it(`conv tests pass with CONVKIT_WINOGRAD=${variant}, ${isa}`, () => {
        assertSuitePasses(['test/backend/conv.test.ts'], { ...env, CONVKIT_WINOGRAD: variant });
      });
    }
  }

  it('CONVKIT_WINOGRAD picks the variant or turns Winograd off', () => {
    // Layers whose measured choice is F(4x4) (16x16 outputs), F(3x3) (6x6: 4 tiles of 3,
    // where F(4x4)'s edge tiles waste as much as it saves), F(5x5) (15x15: 9 tiles of 5
    // against 16 of 4) and direct (3 input channels).
    const code = `
      const { backend, tf } = require('./src');
      const { geometryOf } = require('./src/backend/kernel_utils');
      const layers = [[[8, 16, 16, 64], [3, 3, 64, 64]], [[8, 6, 6, 32], [3, 3, 32, 32]], [[8, 15, 15, 64], [3, 3, 64, 256]],
        [[8, 32, 32, 3], [3, 3, 3, 32]]];
      console.log(layers.map(([x, f]) =>
        backend.addon.winogradTile(geometryOf(tf.backend_util.computeConv2DInfo(x, f, 1, 1, 'same')))).join(' '));`;
    const tiles = (setting: string) => spawnSync(process.execPath, ['--import', 'tsx', '-e', code],
      { env: { ...process.env, CONVKIT_WINOGRAD: setting }, encoding: 'utf8' }).stdout.trim();
    assert.deepEqual([tiles('1'), tiles('0'), tiles('f2'), tiles('f3'), tiles('f4'), tiles('f5'), tiles('all')],
      ['4 3 5 0', '0 0 0 0', '2 2 2 2', '3 3 3 3', '4 4 4 4', '5 5 5 5', '4 3 5 2']);
  });
});
