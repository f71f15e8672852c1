// Building, describing, saving and loading models: the tutorial's and the fast recipe's models by name, a seeded
// Dropout, seeded initialisation, Keras-style summaries, convkit's model folder and Keras
// JSON / HDF5 files.
export { BuildOptions, basicModel, improvedModel } from './tutorial';
export { MODEL_NAMES, ModelName, buildModel, isModelName } from './catalog';
export { FAST_WIDTHS, FastModelOptions, FastWidths, WHITENING_LAYER, fastModel } from './fast';
export { BatchNormalization, batchNormalization } from './batch_norm';
export { Conv2D, conv2d } from './conv2d';
export { ConvkitDropout, ConvkitDropoutArgs, DropoutPosition, dropout, setDropoutPosition } from './dropout';
export { initializeWeights } from './initialize';
export { ImageBatchShape, WHITENING_EPS, WhiteningWeights, initializeWhitening, patchCovariance, whiteningWeights } from './whitening';
export { formatSummary } from './summary';
export { checkTopology, loadArchitecture } from './architecture';
export { LoadedModel, MODEL_FILE, ModelMetadata, PREVIOUS_MODEL_FILE, checkWritableFolder, loadCheckpoint, loadModel, saveModel } from './io';
export { loadKerasWeights, saveKerasWeights } from './hdf5';
export { ModelFlops, modelFlops } from './flops';
