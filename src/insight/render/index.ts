// Rendering of insight results: PNG figures drawn with @napi-rs/canvas, the HTML report,
// and plain-text tables for the terminal.
export * from './colormaps';
export { Figure, drawImageScaled, heatImage, overlayHeat } from './drawing';
export * from './gallery';
export * from './confusion';
export * from './attribution';
export * from './filters';
export * from './chart';
export * from './html';
export * from './text';
export { fontFamily } from './fonts';
