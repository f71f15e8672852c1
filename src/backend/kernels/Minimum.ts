import { Minimum } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const minimumConfig = binaryKernel(Minimum, BinaryOp.Min);
