// Building, describing, saving and loading models: the tutorial's models by name, a seeded
// Dropout, seeded initialisation, Keras-style summaries, convkit's model folder and Keras
// JSON / HDF5 files.
export { BuildOptions, MODEL_NAMES, ModelName, basicModel, buildModel, improvedModel, isModelName } from './tutorial';
export { ConvkitDropout, ConvkitDropoutArgs, DropoutPosition, dropout, setDropoutPosition } from './dropout';
export { initializeWeights } from './initialize';
export { formatSummary } from './summary';
export { checkTopology, loadArchitecture } from './architecture';
export { LoadedModel, MODEL_FILE, ModelMetadata, PREVIOUS_MODEL_FILE, checkWritableFolder, loadCheckpoint, loadModel, saveModel } from './io';
export { loadKerasWeights, saveKerasWeights } from './hdf5';
