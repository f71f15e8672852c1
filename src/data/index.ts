// convkit's data pipeline: loaders (CIFAR-10 binary, class-per-folder images), preprocessing,
// seeded augmentation, training batches and previews.
export * from './types';
export * from './random';
export * from './preprocess';
export * from './augment';
export * from './batches';
export * from './dataset';
export * as cifar10 from './cifar10';
export type { Cifar10Data, Cifar10Options } from './cifar10';
export { loadImageFolder, isImageFileName, IMAGE_EXTENSIONS, type ImageFolderData, type ImageFolderOptions } from './image_folder';
export { renderPreview, type Preview, type PreviewOptions } from './preview';
export { resolveCacheDir } from './paths';
