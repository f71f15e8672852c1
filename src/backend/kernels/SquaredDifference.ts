import { SquaredDifference } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const squaredDifferenceConfig = binaryKernel(SquaredDifference, BinaryOp.SquaredDifference);
