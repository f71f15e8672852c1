import { BinaryOp } from '../addon';
import { binaryKernel } from '../elementwise_kernel';
import { RELU_GRAD } from '../custom_kernels';

// dy where x > 0: relu's gradient in one pass instead of tfjs's step, cast and multiply.
export const reluGradConfig = binaryKernel(RELU_GRAD, BinaryOp.ReluGrad, ['dy', 'x']);
