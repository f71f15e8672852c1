import { Neg } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const negConfig = unaryKernel(Neg, UnaryOp.Neg);
