import { Square } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const squareConfig = unaryKernel(Square, UnaryOp.Square);
