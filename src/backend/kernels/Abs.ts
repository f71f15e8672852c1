import { Abs } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const absConfig = unaryKernel(Abs, UnaryOp.Abs);
