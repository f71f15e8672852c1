import { Rsqrt } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const rsqrtConfig = unaryKernel(Rsqrt, UnaryOp.Rsqrt);
