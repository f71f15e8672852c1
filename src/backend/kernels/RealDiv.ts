import { RealDiv } from '@tensorflow/tfjs-core';

import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';

export const realDivConfig = binaryKernel(RealDiv, BinaryOp.Div);
