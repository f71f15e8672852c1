// `convkit visualize`: computes what each report part needs with the library functions,
// renders the figures, and writes them as PNG files plus one self-contained report.html.
import * as fs from 'fs';
import * as path from 'path';
import * as tfl from '@tensorflow/tfjs-layers';

import type { ImageSet } from '../data/types';
import { ConvkitError } from '../errors';
import { activationMaximization } from './activation_maximization';
import { featureMaps } from './feature_maps';
import { gradCam } from './grad_cam';
import type { TrainingHistory } from './history';
import { Image, Preprocess, imageAt, scaleToUnit } from './images';
import { convLayers, isDenseLayer, modelImageShape } from './layers';
import { accuracy, confusionMatrix, perClassAccuracy } from './metrics';
import { occlusion, OcclusionMap } from './occlusion';
import { Predictions, predictImageSet, predictPixels, probabilitiesOf, topK } from './predictions';
import { SeededRandom } from './random';
import { saliency, smoothGrad } from './saliency';
import { attributionComparison, occlusionFigure } from './render/attribution';
import { trainingCurves } from './render/chart';
import { confusionHeatmap } from './render/confusion';
import type { Figure } from './render/drawing';
import { activationGrid, featureMapGrid } from './render/filters';
import { misclassifiedGallery, predictionGallery } from './render/gallery';
import { HtmlTable, ReportSection, renderReportHtml } from './render/html';

export const REPORT_PARTS = ['results', 'importance', 'saliency', 'activations', 'outputs'] as const;
export type ReportPart = (typeof REPORT_PARTS)[number];

export interface ReportInputs {
  model: tfl.LayersModel;
  classNames: string[];
  preprocess?: Preprocess;
  /** Labelled images to show and score: the test split, else the validation split. */
  images: ImageSet;
  /** What `images` are, for captions: "test", "validation". */
  imagesName: string;
  /** Training images, for the training accuracy (a sample is fine: say so in trainName). */
  trainImages?: ImageSet;
  trainName?: string;
  history?: TrainingHistory;
  /** Heading of the report, usually the run name. */
  title: string;
  /** Extra facts for the report header (run folder, data source...). */
  facts?: Array<[string, string]>;
}

export interface ReportOptions {
  outDir: string;
  parts?: readonly ReportPart[];
  /** Images in each gallery (default 10, or all when fewer); occlusion and saliency show up to 6 of them. */
  imageCount?: number;
  seed?: number;
  patchSize?: number;
  /** Occlusion stride in pixels: raise it for large images. */
  stride?: number;
  filtersPerLayer?: number;
  steps?: number;
  log?: (line: string) => void;
}

export interface ReportResult {
  htmlFile: string;
  pngFiles: string[];
  sections: ReportSection[];
}

const explainedRows = 6;

/** Shared state between parts: the images picked once, predictions made once. */
class ReportContext {
  readonly preprocess: Preprocess;
  private evaluation?: Predictions;
  private picked?: number[];
  private pickedPredictions?: Predictions;
  private occlusionMaps = new Map<number, OcclusionMap>();

  constructor(readonly inputs: ReportInputs, readonly options: Required<Omit<ReportOptions, 'parts' | 'log'>>,
    readonly log: (line: string) => void) {
    this.preprocess = inputs.preprocess ?? scaleToUnit;
  }

  image(index: number): Image {
    return imageAt(this.inputs.images, index);
  }

  /** Predictions for every image (computed on first use). */
  allPredictions(): Predictions {
    if (!this.evaluation) {
      this.log(`predicting ${this.inputs.images.count} ${this.inputs.imagesName} images`);
      this.evaluation = predictImageSet(this.inputs.model, this.inputs.images, { preprocess: this.preprocess });
    }
    return this.evaluation;
  }

  /** Accuracy on the report's images, when the results part has computed it. */
  knownAccuracy(): number | undefined {
    return this.evaluation ? accuracy(this.inputs.images.labels, this.evaluation.predicted) : undefined;
  }

  /** `imageCount` images in a seeded random order, the same for every part. */
  pickedImages(): number[] {
    this.picked ??= new SeededRandom(this.options.seed).sample(this.inputs.images.count, this.options.imageCount);
    return this.picked;
  }

  /** Predictions for the picked images, from the full evaluation when it exists. */
  pickedPrediction(position: number): Float32Array {
    if (this.evaluation) return probabilitiesOf(this.evaluation, this.pickedImages()[position]);
    if (!this.pickedPredictions) {
      const { height, width, channels } = this.inputs.images;
      const size = height * width * channels;
      const pixels = new Uint8Array(this.pickedImages().length * size);
      this.pickedImages().forEach((index, i) => pixels.set(this.image(index).pixels, i * size));
      this.pickedPredictions = predictPixels(this.inputs.model, pixels, this.pickedImages().length, { preprocess: this.preprocess });
    }
    return probabilitiesOf(this.pickedPredictions, position);
  }

  /** The picked images to explain: correctly predicted ones first, as in the tutorial. */
  explainedImages(): number[] {
    const labels = this.inputs.images.labels;
    const picked = this.pickedImages().map((index, position) => ({
      index, right: topK(this.pickedPrediction(position), 1)[0].classIndex === labels[index],
    }));
    const ordered = [...picked.filter((p) => p.right), ...picked.filter((p) => !p.right)];
    return ordered.slice(0, explainedRows).map((p) => p.index);
  }

  occlusionOf(index: number): OcclusionMap {
    let map = this.occlusionMaps.get(index);
    if (!map) {
      map = occlusion(this.inputs.model, this.image(index), {
        preprocess: this.preprocess, patchSize: this.options.patchSize, stride: this.options.stride, seed: this.options.seed,
      });
      this.occlusionMaps.set(index, map);
    }
    return map;
  }
}

function percent(value: number): string {
  return Number.isNaN(value) ? '–' : `${(value * 100).toFixed(1)}%`;
}

function resultsSections(context: ReportContext): ReportSection[] {
  const { inputs, options } = context;
  const { classNames, images } = inputs;
  const evaluation = context.allPredictions();
  const testAccuracy = accuracy(images.labels, evaluation.predicted);
  const accuracyRows = [[inputs.imagesName, String(images.count), percent(testAccuracy)]];
  if (inputs.trainImages && inputs.trainImages.count > 0) {
    context.log(`predicting ${inputs.trainImages.count} training images`);
    const train = predictImageSet(inputs.model, inputs.trainImages, { preprocess: context.preprocess });
    const trainAccuracy = accuracy(inputs.trainImages.labels, train.predicted);
    accuracyRows.unshift([inputs.trainName ?? 'training', String(inputs.trainImages.count), percent(trainAccuracy)]);
  }
  const confusion = confusionMatrix(images.labels, evaluation.predicted, classNames.length);
  const perClass = perClassAccuracy(confusion);

  const gallery = context.pickedImages().map((index) => ({
    image: context.image(index), label: images.labels[index], top: topK(probabilitiesOf(evaluation, index), 3),
  }));
  const wrong = new SeededRandom(options.seed + 1)
    .sample(images.count, images.count)
    .filter((index) => evaluation.predicted[index] !== images.labels[index])
    .slice(0, Math.max(options.imageCount, 12));
  const mistakes = wrong.map((index) => {
    const probabilities = probabilitiesOf(evaluation, index);
    return {
      image: context.image(index), label: images.labels[index], predicted: evaluation.predicted[index],
      probability: probabilities[evaluation.predicted[index]], trueProbability: probabilities[images.labels[index]],
    };
  });
  const wrongCount = images.count - Math.round(testAccuracy * images.count);
  const tables: HtmlTable[] = [
    { caption: 'Accuracy', headers: ['images', 'count', 'accuracy'], rows: accuracyRows, numeric: [1, 2] },
    {
      caption: `Accuracy per class (${inputs.imagesName} images)`, headers: ['class', 'images', 'correct', 'accuracy'],
      rows: confusion.map((row, i) => [classNames[i], String(row.reduce((a, b) => a + b, 0)), String(row[i]), percent(perClass[i])]),
      numeric: [1, 2, 3],
    },
  ];
  const sections: ReportSection[] = [{
    id: 'results', title: 'Results',
    intro: `How the model does on ${images.count.toLocaleString('en-US')} ${inputs.imagesName} images: a random sample with its `
      + `top-3 guesses, some of the ${wrongCount.toLocaleString('en-US')} images it got wrong, and the error breakdown by class.`,
    tables,
    figures: [
      predictionGallery(gallery, classNames, { title: `Predictions on ${gallery.length} random ${inputs.imagesName} images` }),
      misclassifiedGallery(mistakes, classNames, { title: `${mistakes.length} of the ${wrongCount} misclassified images` }),
      confusionHeatmap(confusion, classNames, { title: `Confusion matrix (${inputs.imagesName} images)` }),
    ],
  }];
  sections.push(inputs.history
    ? { id: 'training', title: 'Training curves', figures: [trainingCurves(inputs.history)],
      intro: 'Loss and accuracy per epoch from the run\'s history.csv.' }
    : { id: 'training', title: 'Training curves', figures: [], notes: ['The run folder has no history.csv, so there are no training curves.'] });
  return sections;
}

function importanceSection(context: ReportContext): ReportSection {
  const examples = context.explainedImages().map((index) => {
    context.log(`occlusion for image ${index}`);
    return { image: context.image(index), map: context.occlusionOf(index) };
  });
  return {
    id: 'importance', title: 'Pixel importance (occlusion)',
    intro: `A ${context.options.patchSize}x${context.options.patchSize} patch of noise is slid over each image `
      + `(stride ${context.options.stride}); every position goes through the model and the map shows how much the `
      + 'probability of the predicted class falls. Correctly predicted images come first, as in the tutorial.',
    figures: [occlusionFigure(examples, context.inputs.classNames)],
  };
}

function saliencySection(context: ReportContext): ReportSection {
  const { model } = context.inputs;
  const examples = context.explainedImages().map((index) => {
    context.log(`gradients, SmoothGrad and Grad-CAM for image ${index}`);
    const image = context.image(index);
    const map = context.occlusionOf(index);
    const common = { preprocess: context.preprocess, classIndex: map.classIndex };
    return {
      image, label: context.inputs.images.labels[index], occlusion: map,
      gradient: saliency(model, image, common),
      smoothGrad: smoothGrad(model, image, { ...common, seed: context.options.seed }),
      gradCam: gradCam(model, image, common),
    };
  });
  return {
    id: 'saliency', title: 'Saliency and Grad-CAM',
    intro: 'Beyond the tutorial: the input gradient of the class score (and SmoothGrad, its average over 32 noisy copies) '
      + 'and Grad-CAM on the last conv layer, next to occlusion for the same images.',
    figures: [attributionComparison(examples, context.inputs.classNames)],
  };
}

function silentFiltersNote(layerName: string, filters: number[]): string {
  const many = filters.length > 1;
  return `${layerName}: filter${many ? 's' : ''} ${filters.join(', ')} never activate${many ? '' : 's'} `
    + `(the ReLU after ${many ? 'them' : 'it'} stays at 0 even on the best input found), so ${many ? 'they are' : 'it is'} `
    + 'left blank rather than shown as noise.';
}

function activationsSection(context: ReportContext): ReportSection {
  const { model, classNames } = context.inputs;
  const layers = model.layers.filter((layer) => convLayers(model).includes(layer) || isDenseLayer(layer));
  const notes: string[] = [];
  const figures = layers.map((layer) => {
    const isClassLayer = layer === layers[layers.length - 1] && isDenseLayer(layer);
    const count = isClassLayer ? classNames.length : context.options.filtersPerLayer;
    context.log(`activation maximisation: ${layer.name} (${count} filters)`);
    const result = activationMaximization(model, layer.name, {
      count, steps: context.options.steps, seed: context.options.seed, preprocess: context.preprocess,
    });
    const silent = result.patterns.filter((pattern) => !pattern.active).map((pattern) => pattern.filter);
    if (silent.length > 0) notes.push(silentFiltersNote(layer.name, silent));
    return activationGrid(result, { classNames: isClassLayer ? classNames : undefined, steps: context.options.steps });
  });
  return {
    id: 'activations', title: 'What the filters respond to (activation maximisation)',
    intro: `For each conv and dense layer, gradient ascent on a filter's mean activation from a seeded grey, slightly noisy `
      + `image, ${context.options.steps} steps with a normalised gradient; between steps the image is jittered, pulled `
      + 'back toward grey and now and then blurred, which keeps high-frequency noise out so the patterns stay recognisable. '
      + 'For the output layer, each tile is the image the model finds most typical of a class.',
    figures, notes,
  };
}

function outputsSection(context: ReportContext): ReportSection {
  const index = context.explainedImages()[0];
  const image = context.image(index);
  context.log(`feature maps for image ${index}`);
  const maps = featureMaps(context.inputs.model, image, { preprocess: context.preprocess });
  return {
    id: 'outputs', title: 'What each conv layer produces (feature maps)',
    intro: `The output of every conv layer for one ${context.inputs.imagesName} image `
      + `(a ${context.inputs.classNames[context.inputs.images.labels[index]]}), one small map per channel.`,
    figures: maps.map((layerMaps) => featureMapGrid(layerMaps, image)),
    notes: maps.length === 0 ? ['The model has no conv layer.'] : [],
  };
}

function defaultImageCount(images: ImageSet): number {
  return Math.min(10, images.count);
}

function checkInputs(inputs: ReportInputs, options: ReportOptions): void {
  const { images, model, classNames } = inputs;
  if (images.count === 0) throw new ConvkitError(`there are no ${inputs.imagesName} images to show`);
  const imageCount = options.imageCount ?? defaultImageCount(images);
  if (!Number.isInteger(imageCount) || imageCount < 1) throw new ConvkitError(`--images must be a whole number of 1 or more, got ${imageCount}`);
  if (imageCount > images.count) {
    throw new ConvkitError(`asked for ${imageCount} images but the ${inputs.imagesName} data has only ${images.count}`);
  }
  const { height, width, channels } = modelImageShape(model);
  if (images.height !== height || images.width !== width || images.channels !== channels) {
    throw new ConvkitError(`the model takes ${width}x${height}x${channels} images, `
      + `the data has ${images.width}x${images.height}x${images.channels}`);
  }
  const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  if (outputs !== classNames.length) {
    throw new ConvkitError(`the model scores ${outputs} classes but ${classNames.length} class names were given`);
  }
  for (const part of options.parts ?? []) {
    if (!REPORT_PARTS.includes(part)) throw new ConvkitError(`unknown report part "${part}": use ${REPORT_PARTS.join(', ')} or all`);
  }
}

/** Builds the chosen parts, writes NAME.png for every figure and report.html into `outDir`. */
export function writeReport(inputs: ReportInputs, options: ReportOptions): ReportResult {
  checkInputs(inputs, options);
  const parts = new Set(options.parts ?? REPORT_PARTS);
  const log = options.log ?? (() => undefined);
  const context = new ReportContext(inputs, {
    outDir: options.outDir, imageCount: options.imageCount ?? defaultImageCount(inputs.images), seed: options.seed ?? 1,
    patchSize: options.patchSize ?? 5, stride: options.stride ?? 1, filtersPerLayer: options.filtersPerLayer ?? 16,
    steps: options.steps ?? 40,
  }, log);

  const sections: ReportSection[] = [];
  if (parts.has('results')) sections.push(...resultsSections(context));
  if (parts.has('importance')) sections.push(importanceSection(context));
  if (parts.has('saliency')) sections.push(saliencySection(context));
  if (parts.has('activations')) sections.push(activationsSection(context));
  if (parts.has('outputs')) sections.push(outputsSection(context));

  fs.mkdirSync(options.outDir, { recursive: true });
  const figures: Figure[] = sections.flatMap((section) => section.figures);
  const pngFiles = figures.map((figure) => {
    const file = path.join(options.outDir, `${figure.name}.png`);
    fs.writeFileSync(file, figure.png);
    return file;
  });
  const { height, width, channels } = modelImageShape(inputs.model);
  const knownAccuracy = context.knownAccuracy();
  const htmlFile = path.join(options.outDir, 'report.html');
  fs.writeFileSync(htmlFile, renderReportHtml({
    title: inputs.title,
    subtitle: 'What the model learned and where it looks: generated by convkit visualize',
    facts: [
      ['input', `${width}x${height}x${channels}`],
      ['parameters', inputs.model.countParams().toLocaleString('en-US')],
      ['classes', String(inputs.classNames.length)],
      [`${inputs.imagesName} images`, inputs.images.count.toLocaleString('en-US')],
      ...(knownAccuracy === undefined ? [] : [[`${inputs.imagesName} accuracy`, percent(knownAccuracy)] as [string, string]]),
      ...(inputs.facts ?? []),
    ],
    sections,
  }));
  return { htmlFile, pngFiles, sections };
}
