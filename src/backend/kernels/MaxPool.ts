import { MaxPool } from '@tensorflow/tfjs-core';

import { native } from '../kernel_utils';
import { poolKernel } from '../pool_kernel';

export const maxPoolConfig = poolKernel(MaxPool, (x, y, geometry) => native().maxPool(x, y, geometry));
