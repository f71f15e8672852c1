import { describe, it } from 'node:test';

import { assertSuitePasses } from './child_suite';

// Every kernel that takes scratch memory (the GEMM's packing, the Winograd kernels, the
// indirect and patch-reading convolutions and their gradients) is exercised by these two
// files. Under CONVKIT_SCRATCH_GUARD=1 each scratch buffer ends where a page no access is
// allowed to begins (native/src/runtime/scratch.cc): a kernel reading or writing past what it
// asked for crashes the child instead of passing while it corrupts other memory.
describe('scratch memory', () => {
  it('no kernel goes past the scratch memory it asks for (conv and matmul tests with CONVKIT_SCRATCH_GUARD=1)', () => {
    assertSuitePasses(['test/backend/conv.test.ts', 'test/backend/matmul.test.ts'], { CONVKIT_SCRATCH_GUARD: '1' });
  });
});
