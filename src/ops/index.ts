export { categoricalCrossentropy } from './categorical_crossentropy';
export { dropout, dropoutMask } from './dropout';
export { batchNormTraining } from './batch_norm';
export type { BatchNormTrainingResult } from './batch_norm';
export { fusedConv2d } from './conv2d';
export type { FusedConv2DArgs } from './conv2d';
export { gelu } from './gelu';
// Importing it registers convkit's GELU as tfjs-layers' 'gelu' activation.
export { Gelu } from './gelu_activation';
