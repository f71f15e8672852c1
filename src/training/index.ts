// Training: a Keras-like fit() with exact checkpoints and resume, callbacks, learning-rate
// schedules, and whole runs from one settings object (what `convkit train` calls).
export { Callback, EarlyStopping, EarlyStoppingArgs, LearningRateScheduler, Logs, ModelCheckpoint, ModelCheckpointArgs,
  MonitorArgs, MonitorCallback, TrainingContext } from './callbacks';
export { ProgressBar, formatEpochLine } from './progress';
export { Schedule, ScheduleConfig, SchedulePosition, cosineDecay, oneCycle, parseScheduleSpec, scheduleFromConfig, stepDecay } from './schedules';
export { FitOptions, FitResult, HISTORY_FILE, TrainingData, compileModel, fit } from './fit';
export { Evaluation, evaluate } from './evaluate';
export { ResumeState, TrainingCheckpoint, loadTrainingCheckpoint, saveTrainingCheckpoint } from './checkpoint';
export { captureOptimizer, restoreOptimizer } from './optimizer_state';
export { BEST_FOLDER, DEFAULT_CONFIG, DatasetLoader, RunOptions, RunResult, TrainingConfig, randomSeed, resume, train } from './run';
export { KEPT_EPOCHS_FOLDER, KeepEpochs, keptEpochFolder } from './keep_epochs';
