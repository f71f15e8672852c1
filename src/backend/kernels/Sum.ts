import { Sum } from '@tensorflow/tfjs-core';

import { ReduceOp } from '../addon';
import { reduceKernel } from '../reduce_kernel';

export const sumConfig = reduceKernel(Sum, ReduceOp.Sum);
