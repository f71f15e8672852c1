import { MaxPool } from '@tensorflow/tfjs-core';

import { native } from '../kernel_utils';
import { poolKernel } from '../pool_kernel';
import { takeMaxPool } from '../pooled';

// Over a conv's output whose kernel pooled it already (pooled.ts), the pool it left.
export const maxPoolConfig = poolKernel(MaxPool, (x, y, geometry) => native().maxPool(x, y, geometry), takeMaxPool);
