import { Multiply } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const multiplyConfig = binaryKernel(Multiply, BinaryOp.Mul);
