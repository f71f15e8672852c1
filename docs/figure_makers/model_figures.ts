// The tutorial's figures of a trained model: the last layer's scores and softmax for one
// image, the loss curve, and the four visualisations of the Keras tutorial, all drawn by
// convkit's insight functions and renderer.
import type { SKRSContext2D } from '@napi-rs/canvas';
import * as tfl from '@tensorflow/tfjs-layers';

import { insight, tf } from '../../src';
import type { ImageSet } from '../../src/data';
import type { Image, Predictions, Preprocess, TrainingHistory } from '../../src/insight';
import { Figure, centredText, drawImageScaled, finishFigure, frame, margin, palette, titleBlockHeight, titledCanvas } from '../../src/insight/render/drawing';
import { font } from '../../src/insight/render/fonts';
import { arrow, caption, fixed, widthForTitles } from './cells';

/** A trained model with what its figures need: the images it is shown and their predictions. */
export interface TrainedModel {
  model: tfl.LayersModel;
  classNames: string[];
  preprocess: Preprocess;
  history?: TrainingHistory;
  /** Images the model did not train on (test or validation split). */
  images: ImageSet;
  predictions: Predictions;
  /** How the model was trained, for titles: "basic model, 5 epochs, 7,200 training images". */
  description: string;
}

/** A correctly classified image the model is fairly, not totally, sure of: its bars tell the most. */
export function telling(trained: TrainedModel, count: number): number[] {
  const { images, predictions } = trained;
  const correct = insight.correctIndices(images.labels, predictions.predicted);
  const pool = correct.length >= count ? correct : Array.from({ length: images.count }, (_, i) => i);
  const confidence = (index: number) => insight.probabilitiesOf(predictions, index)[predictions.predicted[index]];
  return [...pool].sort((a, b) => Math.abs(confidence(a) - 0.7) - Math.abs(confidence(b) - 0.7) || a - b).slice(0, count);
}

interface BarPanel {
  x: number;
  y: number;
  width: number;
  rowHeight: number;
  values: ArrayLike<number>;
  low: number;
  high: number;
  highlight: number;
  format: (value: number) => string;
}

/** Horizontal bars from 0, one row per class, the highlighted one in blue. */
function drawBars(context: SKRSContext2D, panel: BarPanel): void {
  const span = panel.high - panel.low;
  const toX = (value: number) => panel.x + (value - panel.low) / span * panel.width;
  context.fillStyle = palette.grid;
  context.fillRect(Math.round(toX(0)), panel.y - 4, 1, panel.values.length * panel.rowHeight + 4);
  for (let row = 0; row < panel.values.length; row++) {
    const value = panel.values[row];
    const y = panel.y + row * panel.rowHeight;
    const [from, to] = [toX(Math.min(0, value)), toX(Math.max(0, value))];
    context.fillStyle = row === panel.highlight ? palette.train : palette.bar;
    context.fillRect(from, y + 4, Math.max(1, to - from), panel.rowHeight - 8);
    context.font = font(12, row === panel.highlight ? 'bold' : 'normal');
    context.fillStyle = palette.text;
    context.textAlign = value < 0 ? 'right' : 'left';
    context.fillText(panel.format(value), value < 0 ? from - 4 : to + 4, y + panel.rowHeight / 2 + 4);
    context.textAlign = 'left';
  }
}

/** One image, the last dense layer's 10 scores, and the softmax probabilities made from them. */
export function softmaxFigure(trained: TrainedModel, index: number): Figure {
  const image = insight.imageAt(trained.images, index);
  const label = trained.images.labels[index];
  const [scores, probabilities] = tf.tidy(() => {
    const logits = insight.classScores(trained.model)(insight.modelInput(image, trained.preprocess));
    return [logits.dataSync() as Float32Array, tf.softmax(logits).dataSync() as Float32Array];
  });
  const predicted = insight.topK(probabilities, 1)[0].classIndex;
  const rowHeight = 26;
  const side = 128;
  const labelWidth = 96;
  const barWidth = 230;
  const gap = 70;
  const xScores = margin + side + 40 + labelWidth;
  const xProbabilities = xScores + barWidth + gap;
  const title = 'The last layer gives one score per class; softmax turns them into probabilities';
  const subtitle = `${trained.description}, on an image it did not train on. Probabilities are positive and add up to 1.`;
  const width = widthForTitles(xProbabilities + barWidth + 60 + margin, title, subtitle);
  const height = titleBlockHeight(true) + 30 + scores.length * rowHeight + 30 + margin;
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  const y0 = top + 30;

  drawImageScaled(context, image, margin, y0, side);
  frame(context, margin, y0, side, side);
  caption(context, `a ${trained.classNames[label]}`, margin + side / 2, y0 + side + 18, side + 30);

  const lowScore = Math.min(0, ...scores);
  const highScore = Math.max(0, ...scores);
  const padding = (highScore - lowScore) * 0.18;
  centredText(context, 'scores (last Dense layer)', xScores + barWidth / 2, top + 14, barWidth + 60, 14, palette.text, 'bold');
  drawBars(context, { x: xScores, y: y0, width: barWidth, rowHeight, values: scores, low: lowScore - (lowScore < 0 ? padding : 0),
    high: highScore + padding, highlight: predicted, format: (value) => fixed(value, highScore - lowScore < 2 ? 2 : 1) });
  centredText(context, 'probabilities (softmax)', xProbabilities + barWidth / 2, top + 14, barWidth + 60, 14, palette.text, 'bold');
  drawBars(context, { x: xProbabilities, y: y0, width: barWidth, rowHeight, values: probabilities, low: 0, high: 1,
    highlight: predicted, format: (value) => `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%` });
  trained.classNames.forEach((name, row) => {
    context.font = font(13, row === label ? 'bold' : 'normal');
    context.fillStyle = row === label ? palette.correct : palette.text;
    context.textAlign = 'right';
    context.fillText(name, xScores - 12, y0 + row * rowHeight + rowHeight / 2 + 5);
    context.textAlign = 'left';
  });
  arrow(context, xScores + barWidth + 14, xProbabilities - 14, y0 + scores.length * rowHeight / 2, 'softmax');
  caption(context, 'green: the true class; blue: the model\'s answer', xScores + barWidth / 2, y0 + scores.length * rowHeight + 16,
    barWidth + labelWidth);
  return finishFigure(canvas, 'softmax', title);
}

export function lossCurveFigure(trained: TrainedModel): Figure {
  if (!trained.history) throw new Error('the run has no history.csv to draw a loss curve from');
  return insight.render.trainingCurves(trained.history, { name: 'loss_curve', title: `Training curves: ${trained.description}` });
}

/** Visualisation 1, the results: random unseen images with the model's three likeliest classes. */
export function predictionsFigure(trained: TrainedModel, count: number): Figure {
  const picks = new insight.SeededRandom(1).sample(trained.images.count, Math.min(count, trained.images.count));
  const items = picks.map((index) => ({
    image: insight.imageAt(trained.images, index), label: trained.images.labels[index],
    top: insight.topK(insight.probabilitiesOf(trained.predictions, index), 3),
  }));
  return insight.render.predictionGallery(items, trained.classNames, { name: 'predictions', columns: 4,
    title: 'Predictions on unseen images, after the short run' });
}

/** Visualisation 2, pixel importance: how much a 5x5 noise patch at each place lowers the right class. */
export function occlusionFigure(trained: TrainedModel, indices: number[]): Figure {
  const examples = indices.map((index) => {
    const image = insight.imageAt(trained.images, index);
    return { image, map: insight.occlusion(trained.model, image, { patchSize: 5, preprocess: trained.preprocess }) };
  });
  return insight.render.occlusionFigure(examples, trained.classNames, { name: 'occlusion' });
}

/** Visualisation 3, activation maximisation: the input each of a layer's first filters likes best. */
export function activationFigure(trained: TrainedModel, layerName: string, steps: number): Figure {
  const result = insight.activationMaximization(trained.model, layerName, { count: 16, steps, preprocess: trained.preprocess });
  return insight.render.activationGrid(result, { name: 'activation_maximization', steps });
}

/** Visualisation 4, feature maps: what every filter of a conv layer makes of one image. */
export function featureMapsFigure(trained: TrainedModel, layerName: string, index: number): Figure {
  const image: Image = insight.imageAt(trained.images, index);
  const [maps] = insight.featureMaps(trained.model, image, { layerNames: [layerName], preprocess: trained.preprocess });
  return insight.render.featureMapGrid(maps, image, { name: 'feature_maps' });
}
