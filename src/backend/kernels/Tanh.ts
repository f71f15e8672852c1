import { Tanh } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const tanhConfig = unaryKernel(Tanh, UnaryOp.Tanh);
