import { Log } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const logConfig = unaryKernel(Log, UnaryOp.Log);
