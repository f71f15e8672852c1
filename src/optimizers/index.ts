export { Adam, adam } from './adam';
export { SGD, sgd } from './sgd';
export type { SgdGroup, SgdOptions } from './sgd';
