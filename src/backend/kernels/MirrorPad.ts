import { MirrorPad, MirrorPadAttrs, TensorInfo } from '@tensorflow/tfjs-core';

import { gatherRows, nativeKernel } from '../kernel_utils';

// tfjs's CPU MirrorPad computes every element's source through index arithmetic; natively
// it copies whole rows (translating images for test-time augmentation pads height and
// width). Padding the last axis stays tfjs's.
export const mirrorPadConfig = nativeKernel<{ x: TensorInfo }, MirrorPadAttrs>(MirrorPad, ({ inputs: { x }, backend, attrs }) => {
  const { paddings, mode } = attrs;
  const last = x.shape.length - 1;
  if (paddings[last][0] !== 0 || paddings[last][1] !== 0) return null;
  // 'reflect' mirrors around the edge pixel, 'symmetric' repeats it.
  const edge = mode === 'reflect' ? 0 : 1;
  const source = (i: number, length: number) => {
    if (i < 0) return -i - edge;
    return i < length ? i : 2 * length - 2 + edge - i;
  };
  const shape = x.shape.map((length, axis) => length + paddings[axis][0] + paddings[axis][1]);
  const maps = x.shape.slice(0, last).map((length, axis) =>
    Array.from({ length: shape[axis] }, (_, i) => source(i - paddings[axis][0], length)));
  return gatherRows(backend, x, shape, maps);
});
