import { Reciprocal } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const reciprocalConfig = unaryKernel(Reciprocal, UnaryOp.Reciprocal);
