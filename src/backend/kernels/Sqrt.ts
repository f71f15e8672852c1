import { Sqrt } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const sqrtConfig = unaryKernel(Sqrt, UnaryOp.Sqrt);
