import { Mean } from '@tensorflow/tfjs-core';

import { ReduceOp } from '../addon';
import { reduceKernel } from '../reduce_kernel';

export const meanConfig = reduceKernel(Mean, ReduceOp.Mean);
