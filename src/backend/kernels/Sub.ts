import { Sub } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const subConfig = binaryKernel(Sub, BinaryOp.Sub);
