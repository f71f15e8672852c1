// What the model view, the timeline, the validation strip and the try-it panel compute:
// insight's functions run on a run's model and data, turned into the JSON of api_types.
// Models and data are loaded on first use and kept while model.json stays the same.
// All tensor work goes through one queue, so two requests never compete for the CPU and a
// model is never replaced while a computation still uses it.
import * as tfl from '@tensorflow/tfjs-layers';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { setImmediate as yieldToEventLoop } from 'timers/promises';

import type { Dataset, ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import { activationMaximization } from '../insight/activation_maximization';
import { featureMaps } from '../insight/feature_maps';
import { gradCam } from '../insight/grad_cam';
import { Image, imageAt } from '../insight/images';
import { loadImageFile } from '../insight/image_file';
import { convLayers, isConvLayer, isDenseLayer, modelImageShape } from '../insight/layers';
import { accuracy, confusionMatrix, perClassAccuracy } from '../insight/metrics';
import { occlusion } from '../insight/occlusion';
import { predictPixels, topK } from '../insight/predictions';
import { OpenedRun, firstImages, loadRunData, openRun } from '../insight/run_folder';
import { smoothGrad } from '../insight/saliency';
import { MODEL_FILE } from '../models/io';
import type {
  EvaluationResult, Explanation, FeatureMapSet, FilterPatterns, ImageCards, ModelInfo, RankedLabel, StripItem, TimelineFrame,
  TimelineInfo, TryResult, ValidationStrip,
} from './api_types';
import { HttpError } from './http';
import { featureMapSet, firstLayerFilters, importanceOverlay, picture } from './pictures';
import { keptEpochFolders } from './run_folders';

export interface ModelViewOptions {
  /** Validation images the confusion matrix and galleries use (the first ones). */
  evaluationImages?: number;
  /** Images in the live view's validation strip. */
  stripImages?: number;
  /** Images the timeline's confusion matrices use per epoch. */
  timelineImages?: number;
}

/** Runs tasks one after another. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

interface Predicted {
  probabilities: Float32Array;
  predicted: Int32Array;
  classCount: number;
}

interface Evaluated extends Predicted {
  split: string;
  set: ImageSet;
  available: number;
}

interface CachedRun {
  signature: string;
  run: OpenedRun;
  evaluated?: Evaluated;
  patterns: Map<string, FilterPatterns>;
}

/** Changes whenever model.json is replaced (each checkpoint renames a new file over it). */
export function modelSignature(folder: string): string {
  try {
    const stat = fs.statSync(path.join(folder, MODEL_FILE));
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'none';
  }
}

/** The split the model view looks at: validation, else the test split, else training images. */
function evaluationSplit(dataset: Dataset): { split: string; set: ImageSet } {
  if (dataset.validation.count > 0) return { split: 'validation', set: dataset.validation };
  if (dataset.test && dataset.test.count > 0) return { split: 'test', set: dataset.test };
  return { split: 'training', set: dataset.train };
}

/** Predictions over a set in chunks, letting the server answer other requests in between. */
async function predictInChunks(run: OpenedRun, set: ImageSet, chunk = 128): Promise<Predicted> {
  const imageSize = set.height * set.width * set.channels;
  let probabilities = new Float32Array(0);
  const predicted = new Int32Array(set.count);
  let classCount = 0;
  for (let start = 0; start < set.count; start += chunk) {
    const count = Math.min(chunk, set.count - start);
    const part = predictPixels(run.model, set.images.subarray(start * imageSize, (start + count) * imageSize), count,
      { preprocess: run.preprocess, batchSize: chunk });
    if (start === 0) {
      classCount = part.classCount;
      probabilities = new Float32Array(set.count * classCount);
    }
    probabilities.set(part.probabilities, start * classCount);
    predicted.set(part.predicted, start);
    await yieldToEventLoop();
  }
  return { probabilities, predicted, classCount };
}

function ranked(probabilities: ArrayLike<number>, classNames: string[], k = 3): RankedLabel[] {
  return topK(probabilities, k).map(({ classIndex, probability }) => ({ classIndex, className: classNames[classIndex], probability }));
}

function evaluationResult(evaluated: Predicted & { split: string; set: ImageSet; available: number }, classNames: string[]): EvaluationResult {
  const confusion = confusionMatrix(evaluated.set.labels, evaluated.predicted, classNames.length);
  return {
    split: evaluated.split, count: evaluated.set.count, available: evaluated.available,
    accuracy: accuracy(evaluated.set.labels, evaluated.predicted), confusion,
    perClass: perClassAccuracy(confusion).map((value) => (Number.isNaN(value) ? null : value)), classNames,
  };
}

/** [null, 30, 30, 32] -> "(None, 30, 30, 32)", as Keras's summary writes shapes. */
function kerasShape(shape: tfl.Shape | tfl.Shape[]): string {
  const one = (dims: tfl.Shape) => `(${dims.map((d) => (d === null ? 'None' : String(d))).join(', ')}${dims.length === 1 ? ',' : ''})`;
  return Array.isArray(shape[0]) ? (shape as tfl.Shape[]).map(one).join(', ') : one(shape as tfl.Shape);
}

/** A whole number from a query parameter, or a 400 naming the parameter. */
export function wholeNumberParameter(value: string | null, name: string, fallback?: number): number {
  if (value === null || value === '') {
    if (fallback !== undefined) return fallback;
    throw new HttpError(400, `the "${name}" parameter is missing`);
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new HttpError(400, `"${name}" must be a whole number, got "${value.slice(0, 20)}"`);
  return number;
}

export class ModelViews {
  private readonly queue = new SerialQueue();
  private readonly runs = new Map<string, CachedRun>();
  private readonly datasets = new Map<string, Promise<Dataset>>();
  private readonly frames = new Map<string, TimelineFrame>();
  private readonly evaluationImages: number;
  private readonly stripImages: number;
  private readonly timelineImages: number;

  constructor(private readonly runsDir: string, options: ModelViewOptions = {}) {
    this.evaluationImages = options.evaluationImages ?? 1000;
    this.stripImages = options.stripImages ?? 12;
    this.timelineImages = options.timelineImages ?? 500;
  }

  /** Frees every model held. */
  dispose(): void {
    for (const cached of this.runs.values()) cached.run.model.dispose();
    this.runs.clear();
  }

  private folder(name: string): string {
    return path.join(this.runsDir, name);
  }

  /** The run's model, reloaded when model.json has changed since it was loaded. */
  private async cachedRun(name: string): Promise<CachedRun> {
    const folder = this.folder(name);
    const signature = modelSignature(folder);
    const cached = this.runs.get(name);
    if (cached && cached.signature === signature) return cached;
    const run = await openRun(folder, () => undefined);
    cached?.run.model.dispose();
    const fresh: CachedRun = { signature, run, patterns: new Map() };
    this.runs.set(name, fresh);
    return fresh;
  }

  /** The run's dataset, loaded once per data settings (runs on the same data share it). */
  private dataset(run: OpenedRun): Promise<Dataset> {
    const config = run.metadata.trainingConfig ?? {};
    const key = JSON.stringify([config.data, config.limit, config.validation, config.seed, modelImageShape(run.model)]);
    let loading = this.datasets.get(key);
    if (!loading) {
      loading = loadRunData(run, { log: () => undefined }).catch((error) => {
        this.datasets.delete(key);  // let a later request try again (the data may appear)
        throw new ConvkitError(`the run's images cannot be loaded: ${(error as Error).message}`, { cause: error });
      });
      this.datasets.set(key, loading);
    }
    return loading;
  }

  private async evaluated(cached: CachedRun): Promise<Evaluated> {
    if (cached.evaluated) return cached.evaluated;
    const { split, set } = evaluationSplit(await this.dataset(cached.run));
    const shown = firstImages(set, this.evaluationImages);
    cached.evaluated = { split, set: shown, available: set.count, ...(await predictInChunks(cached.run, shown)) };
    return cached.evaluated;
  }

  modelInfo(name: string): Promise<ModelInfo> {
    return this.queue.run(async () => {
      const { run } = await this.cachedRun(name);
      const model = run.model;
      const layers = model.layers.map((layer) => ({
        name: layer.name, type: layer.getClassName(),
        outputShape: kerasShape(layer.outputShape),
        params: layer.countParams(),
      }));
      const count = (weights: typeof model.weights) => weights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
      const trainable = count(model.trainableWeights);
      return {
        name: model.name, layers, totalParams: trainable + count(model.nonTrainableWeights), trainableParams: trainable,
        classNames: run.classNames, inputShape: Object.values(modelImageShape(model)),
        epoch: typeof run.metadata.epoch === 'number' ? run.metadata.epoch : null,
        savedAt: typeof run.metadata.savedAt === 'string' ? run.metadata.savedAt : null,
        patternLayers: model.layers.filter((layer) => isConvLayer(layer) || isDenseLayer(layer)).map((layer) => layer.name),
      };
    });
  }

  evaluation(name: string): Promise<EvaluationResult> {
    return this.queue.run(async () => {
      const cached = await this.cachedRun(name);
      return evaluationResult(await this.evaluated(cached), cached.run.classNames);
    });
  }

  /**
   * Evaluated images with a given true and/or predicted class, or every mistake when
   * `mistakes` is set; mistakes come most confident first, as the gallery shows them.
   */
  imageCards(name: string, filter: { trueClass?: number; predicted?: number; mistakes?: boolean; limit: number }): Promise<ImageCards> {
    return this.queue.run(async () => {
      const cached = await this.cachedRun(name);
      const evaluated = await this.evaluated(cached);
      const { set, predicted, probabilities, classCount } = evaluated;
      const matching: number[] = [];
      for (let i = 0; i < set.count; i++) {
        if (filter.trueClass !== undefined && set.labels[i] !== filter.trueClass) continue;
        if (filter.predicted !== undefined && predicted[i] !== filter.predicted) continue;
        if (filter.mistakes && set.labels[i] === predicted[i]) continue;
        matching.push(i);
      }
      const confidence = (i: number) => probabilities[i * classCount + predicted[i]];
      if (filter.mistakes) matching.sort((a, b) => confidence(b) - confidence(a));
      const cards = await Promise.all(matching.slice(0, filter.limit).map(async (index) => ({
        index, label: set.labels[index], predicted: predicted[index], probability: confidence(index), picture: await picture(imageAt(set, index)),
      })));
      return { cards, total: matching.length };
    });
  }

  /** Occlusion, SmoothGrad saliency, Grad-CAM and every conv layer's feature maps for one evaluated image. */
  explain(name: string, index: number): Promise<Explanation> {
    return this.queue.run(async () => {
      const cached = await this.cachedRun(name);
      const { run } = cached;
      const evaluated = await this.evaluated(cached);
      if (index >= evaluated.set.count) throw new HttpError(404, `image ${index} is not among the ${evaluated.set.count} evaluated images`);
      const image = imageAt(evaluated.set, index);
      const probabilities = evaluated.probabilities.subarray(index * evaluated.classCount, (index + 1) * evaluated.classCount);
      const side = Math.min(image.height, image.width);
      const occluded = occlusion(run.model, image, { preprocess: run.preprocess, patchSize: Math.max(3, Math.round(side / 6)), stride: Math.max(1, Math.round(side / 16)) });
      await yieldToEventLoop();
      const { attention, notes } = await this.attention(run, image);
      return {
        index, label: evaluated.set.labels[index], top: ranked(probabilities, run.classNames),
        picture: await picture(image), occlusion: await importanceOverlay(image, occluded.pixelDrops),
        ...attention, notes,
        featureMaps: await Promise.all(featureMaps(run.model, image, { preprocess: run.preprocess }).map((maps) => featureMapSet(maps))),
      };
    });
  }

  /** SmoothGrad saliency and Grad-CAM overlays; a model without conv layers gets a note instead of Grad-CAM. */
  private async attention(run: OpenedRun, image: Image, samples = 16): Promise<{ attention: { saliency: string; gradCam: string | null }; notes: string[] }> {
    const notes: string[] = [];
    const salient = smoothGrad(run.model, image, { preprocess: run.preprocess, samples });
    let gradCamPicture: string | null = null;
    try {
      const cam = gradCam(run.model, image, { preprocess: run.preprocess });
      gradCamPicture = await importanceOverlay(image, cam.heat);
    } catch (error) {
      if (!(error instanceof ConvkitError)) throw error;
      notes.push(`No Grad-CAM: ${error.message}.`);
    }
    return { attention: { saliency: await importanceOverlay(image, salient.magnitude), gradCam: gradCamPicture }, notes };
  }

  /** Activation maximisation for one layer's first filters (seconds of work: cached per checkpoint). */
  patterns(name: string, layerName: string): Promise<FilterPatterns> {
    return this.queue.run(async () => {
      const cached = await this.cachedRun(name);
      const known = cached.patterns.get(layerName);
      if (known) return known;
      const started = performance.now();
      const result = activationMaximization(cached.run.model, layerName, { count: 16, preprocess: cached.run.preprocess });
      const classLayer = result.filterCount === cached.run.classNames.length && !isConvLayer(cached.run.model.getLayer(layerName));
      const patterns = await Promise.all(result.patterns.map(async (pattern) => ({
        filter: pattern.filter, active: pattern.active, picture: await picture(pattern.image),
        label: classLayer ? cached.run.classNames[pattern.filter] : `#${pattern.filter}`,
      })));
      const answer = { layerName: result.layerName, layerClass: result.layerClass, filterCount: result.filterCount, patterns, seconds: (performance.now() - started) / 1000 };
      cached.patterns.set(layerName, answer);
      return answer;
    });
  }

  /** The try-it panel: any image file, fitted to the model, with top-3, attention maps and the first conv layer's maps. */
  tryImage(name: string, bytes: Buffer, extension: string): Promise<TryResult> {
    return this.queue.run(async () => {
      const started = performance.now();
      const { run } = await this.cachedRun(name);
      const image = await decodeUpload(bytes, extension, modelImageShape(run.model));
      const prediction = predictPixels(run.model, image.pixels, 1, { preprocess: run.preprocess });
      const { attention, notes } = await this.attention(run, image, 8);
      const first = convLayers(run.model)[0];
      let maps: FeatureMapSet | null = null;
      if (first) maps = await featureMapSet(featureMaps(run.model, image, { layerNames: [first.name], preprocess: run.preprocess })[0]);
      else notes.push('The model has no conv layer, so there are no feature maps.');
      return {
        top: ranked(prediction.probabilities, run.classNames), picture: await picture(image), ...attention, featureMaps: maps, notes,
        milliseconds: performance.now() - started,
      };
    });
  }

  /** The live view's strip: the first validation images with the current checkpoint's predictions. */
  strip(name: string): Promise<ValidationStrip> {
    return this.queue.run(async () => {
      try {
        const { run } = await this.cachedRun(name);
        const { set } = evaluationSplit(await this.dataset(run));
        const shown = firstImages(set, this.stripImages);
        const prediction = predictPixels(run.model, shown.images, shown.count, { preprocess: run.preprocess });
        const items: StripItem[] = await Promise.all(Array.from({ length: shown.count }, async (_, index) => ({
          index, label: shown.labels[index], predicted: prediction.predicted[index],
          probability: prediction.probabilities[index * prediction.classCount + prediction.predicted[index]],
          picture: await picture(imageAt(shown, index)),
        })));
        return { epoch: typeof run.metadata.epoch === 'number' ? run.metadata.epoch : null, items, classNames: run.classNames, error: null };
      } catch (error) {
        if (!(error instanceof ConvkitError)) throw error;
        return { epoch: null, items: [], classNames: [], error: error.message };
      }
    });
  }

  timeline(name: string): TimelineInfo {
    return { epochs: keptEpochFolders(this.folder(name)).map((kept) => kept.epoch) };
  }

  /** One epoch of the timeline: its first-layer filters, one image's feature maps and its confusion matrix. */
  timelineFrame(name: string, epoch: number): Promise<TimelineFrame> {
    return this.queue.run(async () => {
      const kept = keptEpochFolders(this.folder(name)).find((candidate) => candidate.epoch === epoch);
      if (!kept) throw new HttpError(404, `the run kept no checkpoint of epoch ${epoch}`);
      const key = `${kept.folder}|${modelSignature(kept.folder)}`;
      const known = this.frames.get(key);
      if (known) return known;
      const run = await openRun(kept.folder, () => undefined);
      try {
        const frame: TimelineFrame = { epoch, filters: await firstLayerFilters(run.model), picture: null, featureMaps: null, evaluation: null, notes: [] };
        try {
          const { split, set } = evaluationSplit(await this.dataset(run));
          const shown = firstImages(set, this.timelineImages);
          const image = imageAt(shown, 0);
          frame.picture = await picture(image);
          const first = convLayers(run.model)[0];
          if (first) frame.featureMaps = await featureMapSet(featureMaps(run.model, image, { layerNames: [first.name], preprocess: run.preprocess })[0], 16);
          frame.evaluation = evaluationResult({ split, set: shown, available: set.count, ...(await predictInChunks(run, shown)) }, run.classNames);
        } catch (error) {
          if (!(error instanceof ConvkitError)) throw error;
          frame.notes.push(error.message);
        }
        this.frames.set(key, frame);
        return frame;
      } finally {
        run.model.dispose();
      }
    });
  }
}

/** Decodes an uploaded image through the same loader as `convkit predict` (which reads files). */
async function decodeUpload(bytes: Buffer, extension: string, shape: { height: number; width: number; channels: number }): Promise<Image> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'convkit-upload-'));
  const file = path.join(folder, `upload.${extension}`);
  try {
    fs.writeFileSync(file, bytes);
    return await loadImageFile(file, { ...shape, fit: 'cover' });
  } catch (error) {
    const message = (error as Error).message.split(file).join('the uploaded file');
    throw new HttpError(400, message);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
