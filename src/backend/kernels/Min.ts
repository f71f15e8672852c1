import { Min } from '@tensorflow/tfjs-core';

import { ReduceOp } from '../addon';
import { reduceKernel } from '../reduce_kernel';

export const minConfig = reduceKernel(Min, ReduceOp.Min);
