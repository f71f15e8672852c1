import { Add } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const addConfig = binaryKernel(Add, BinaryOp.Add);
