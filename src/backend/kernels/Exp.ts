import { Exp } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const expConfig = unaryKernel(Exp, UnaryOp.Exp);
