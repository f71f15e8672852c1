import { it } from 'node:test';

import { assertSuitePasses } from './child_suite';

// The portable C++ micro-kernels and Winograd transforms (for CPUs without AVX2/FMA) must
// give the same answers: run the convolution and matrix tests again with
// CONVKIT_ISA=portable and 3 threads.
it('convolution and matmul tests pass on the portable path with 3 threads', () => {
  assertSuitePasses(['test/backend/conv.test.ts', 'test/backend/matmul.test.ts', 'test/backend/gelu.test.ts'],
    { CONVKIT_ISA: 'portable', CONVKIT_THREADS: '3' });
});

// On a CPU with AVX-512 the suites above run on the AVX-512 micro-kernels and transforms;
// CONVKIT_ISA=avx2 runs them again on the AVX2 ones.
it('convolution and matmul tests pass on the AVX2 path', () => {
  assertSuitePasses(['test/backend/conv.test.ts', 'test/backend/matmul.test.ts'], { CONVKIT_ISA: 'avx2' });
});
