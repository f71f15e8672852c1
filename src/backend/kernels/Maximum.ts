import { Maximum } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const maximumConfig = binaryKernel(Maximum, BinaryOp.Max);
