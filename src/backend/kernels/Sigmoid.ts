import { Sigmoid } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const sigmoidConfig = unaryKernel(Sigmoid, UnaryOp.Sigmoid);
