// The JSON the dashboard's server sends and its page reads. Type-only and free of Node
// imports, so the front end (web/) imports it too and both sides agree on every field.

export type RunStatus = 'training' | 'stopped' | 'finished';

/** One row of the runs page. */
export interface RunSummary {
  /** The run's folder name inside the runs folder; also its id in URLs. */
  name: string;
  /** 'basic', 'improved', a model file's name, or the topology's own name. */
  model: string;
  epochsDone: number;
  /** From the training settings; null when the run does not say. */
  epochsPlanned: number | null;
  bestValAccuracy: number | null;
  status: RunStatus;
  /** Why the status is what it is, in words ("early stopping", "no update for 3 min"...). */
  statusDetail: string;
  /** When any of the run's files last changed (ISO time), or null for an empty folder. */
  updatedAt: string | null;
  /** Whether a model.json can be opened for the model view and the try-it panel. */
  hasModel: boolean;
  /** Per-epoch checkpoints kept for the timeline. */
  keptEpochs: number;
}

/** history.csv by column; blank or unreadable cells are null (JSON has no NaN). */
export interface HistoryTable {
  epochs: number[];
  series: Record<string, Array<number | null>>;
}

/** What a training process reports between epochs (see live_progress.ts). */
export interface LiveProgress {
  /** 0-based epoch in progress and the planned total. */
  epoch: number;
  epochs: number;
  /** Batches done in that epoch, of `batches`. */
  batch: number;
  batches: number;
  imagesPerSecond: number | null;
  etaSeconds: number | null;
  loss: number | null;
  accuracy: number | null;
  updatedAt: string;
}

export interface RunDetail {
  summary: RunSummary;
  history: HistoryTable;
  progress: LiveProgress | null;
  /** Images per second and time left, from the live report or else from history.csv. */
  speed: { imagesPerSecond: number | null; etaSeconds: number | null };
  config: Record<string, unknown> | null;
  classNames: string[];
}

export interface RankedLabel {
  classIndex: number;
  className: string;
  probability: number;
}

export interface LayerRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

export interface ModelInfo {
  name: string;
  layers: LayerRow[];
  totalParams: number;
  trainableParams: number;
  classNames: string[];
  inputShape: number[];
  epoch: number | null;
  savedAt: string | null;
  /** Layers activation maximisation can show (conv and dense). */
  patternLayers: string[];
}

export interface EvaluationResult {
  split: string;
  /** Images evaluated (the first ones of the split) and how many the split has. */
  count: number;
  available: number;
  accuracy: number;
  /** confusion[trueClass][predictedClass]. */
  confusion: number[][];
  perClass: Array<number | null>;
  classNames: string[];
}

/** A picture as a data: URL (PNG at the image's own size; the page scales it up). */
export type Picture = string;

export interface ImageCard {
  /** Position in the evaluated split. */
  index: number;
  label: number;
  predicted: number;
  /** Probability of the predicted class. */
  probability: number;
  picture: Picture;
}

export interface ImageCards {
  cards: ImageCard[];
  /** How many images matched, of which `cards` shows the first. */
  total: number;
}

export interface FeatureMapSet {
  layerName: string;
  outputLayerName: string;
  width: number;
  height: number;
  channels: number;
  /** The first channels' maps, each scaled to its own peak. */
  tiles: Picture[];
}

export interface Explanation {
  index: number;
  label: number;
  top: RankedLabel[];
  picture: Picture;
  occlusion: Picture;
  saliency: Picture;
  gradCam: Picture | null;
  /** Why a map is missing (a model without conv layers has no Grad-CAM). */
  notes: string[];
  featureMaps: FeatureMapSet[];
}

export interface FilterPatterns {
  layerName: string;
  layerClass: string;
  filterCount: number;
  patterns: Array<{ filter: number; label: string; active: boolean; picture: Picture }>;
  seconds: number;
}

export interface TryResult {
  top: RankedLabel[];
  picture: Picture;
  saliency: Picture;
  gradCam: Picture | null;
  featureMaps: FeatureMapSet | null;
  notes: string[];
  milliseconds: number;
}

export interface StripItem {
  index: number;
  label: number;
  predicted: number;
  probability: number;
  picture: Picture;
}

export interface ValidationStrip {
  epoch: number | null;
  items: StripItem[];
  classNames: string[];
  /** Why there is no strip (no model yet, data not found...). */
  error: string | null;
}

export interface TimelineInfo {
  epochs: number[];
}

export interface TimelineFrame {
  epoch: number;
  /** The first conv layer's kernels as small pictures. */
  filters: { layerName: string; tiles: Picture[] } | null;
  picture: Picture | null;
  featureMaps: FeatureMapSet | null;
  evaluation: EvaluationResult | null;
  notes: string[];
}

export interface ErrorBody {
  error: string;
}
