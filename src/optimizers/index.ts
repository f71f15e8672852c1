export { Adam, adam } from './adam';
