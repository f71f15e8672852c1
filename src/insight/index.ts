// convkit's insight: what a trained CNN does and where it looks. The functions here return
// numbers and arrays (accuracy, confusion, occlusion, saliency, Grad-CAM, activation
// maximisation, feature maps); `render` turns them into PNG figures and an HTML report.
export * from './images';
export * from './predictions';
export * from './tta';
export * from './metrics';
export * from './evaluation';
export * from './occlusion';
export * from './saliency';
export * from './grad_cam';
export * from './activation_maximization';
export * from './feature_maps';
export * from './history';
export { SeededRandom } from './random';
export * from './image_file';
export * from './report';
export * from './run_folder';
export { Layer, activationAfter, activationLayerAfter, classScores, convLayers, lastConvLayer, layerNamed, modelImageShape } from './layers';
export * as render from './render';
