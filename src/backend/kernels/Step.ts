import { Step } from '@tensorflow/tfjs-core';

import { UnaryOp } from '../addon';
import { unaryKernel } from '../elementwise_kernel';

export const stepConfig = unaryKernel(Step, UnaryOp.Step);
