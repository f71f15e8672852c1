export { dropout, dropoutMask } from './dropout';
