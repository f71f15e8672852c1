// Training: a Keras-like fit() with exact checkpoints and resume, callbacks, learning-rate
// schedules, and whole runs from one settings object (what `convkit train` calls).
export { Callback, EarlyStopping, EarlyStoppingArgs, LearningRateScheduler, Logs, ModelCheckpoint, ModelCheckpointArgs,
  MonitorArgs, MonitorCallback, TrainingContext } from './callbacks';
export { ProgressBar, formatEpochLine } from './progress';
export { SCHEDULE_KINDS, Schedule, ScheduleConfig, SchedulePosition, cosineDecay, oneCycle, parseScheduleSpec, scheduleFromConfig, stepDecay,
  triangle } from './schedules';
export { Lookahead, LookaheadArgs, LookaheadDecay, airbenchLookaheadDecay } from './lookahead';
export { CrossentropyOptions, LossFunction, categoricalCrossentropy } from './losses';
export { FitOptions, FitResult, HISTORY_FILE, TrainingData, compileModel, fit } from './fit';
export { Evaluation, EvaluateOptions, TtaEvaluation, evaluate, evaluateWithTta } from './evaluate';
export { ResumeState, TrainingCheckpoint, loadTrainingCheckpoint, saveTrainingCheckpoint } from './checkpoint';
export { captureOptimizer, restoreOptimizer } from './optimizer_state';
export { BEST_FOLDER, DEFAULT_CONFIG, DatasetLoader, RunOptions, RunResult, TrainingConfig, randomSeed, resume, train } from './run';
export { DEFAULT_RECIPE, FAST_BATCH_SIZE, FreezeAfterEpochs, InputScaling, OptimizerConfig, RecipeSettings, compileWith, optimizerFor,
  parseOptimizerSpec, recipeFor } from './recipe';
export { DEFAULT_THRESHOLDS, Milestone, TimeToAccuracy, TimeToAccuracyArgs } from './milestones';
export { KEPT_EPOCHS_FOLDER, KeepEpochs, keptEpochFolder } from './keep_epochs';
