import { Relu } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const reluConfig = unaryKernel(Relu, UnaryOp.Relu);
