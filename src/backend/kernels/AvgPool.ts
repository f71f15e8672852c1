import { AvgPool } from '@tensorflow/tfjs-core';

import { native } from '../kernel_utils';
import { poolKernel } from '../pool_kernel';

export const avgPoolConfig = poolKernel(AvgPool, (x, y, geometry) => native().avgPool(x, y, geometry));
