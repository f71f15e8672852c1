import { Max } from '@tensorflow/tfjs-core';

import { ReduceOp } from '../addon';
import { reduceKernel } from '../reduce_kernel';

export const maxConfig = reduceKernel(Max, ReduceOp.Max);
