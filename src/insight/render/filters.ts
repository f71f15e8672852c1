// What the layers see: activation-maximisation patterns for a layer's filters, and the
// feature maps each conv layer produces for one image.
import type { ActivationMaximization } from '../activation_maximization';
import { FeatureMaps, featureMapChannel } from '../feature_maps';
import type { Image } from '../images';
import { inferno } from './colormaps';
import {
  Figure, centredText, displaySize, drawColorBar, drawImageScaled, finishFigure, frame, heatImage, margin, palette,
  titleBlockHeight, titledCanvas,
} from './drawing';

const gap = 10;
const captionHeight = 18;

/** A grid of the images that excite each filter most; filters that never fire get a note instead. */
export function activationGrid(result: ActivationMaximization, options:
  { name?: string; columns?: number; classNames?: string[]; steps?: number } = {}): Figure {
  const patterns = result.patterns;
  const tile = patterns.length > 0 ? displaySize(patterns[0].image, 96) : 96;
  const columns = Math.max(1, Math.min(options.columns ?? 8, patterns.length));
  const rows = Math.max(1, Math.ceil(patterns.length / columns));
  const width = Math.max(margin * 2 + columns * tile + (columns - 1) * gap, 560);
  const height = titleBlockHeight(true) + rows * (tile + captionHeight + gap) + margin;
  const silent = patterns.filter((pattern) => !pattern.active).length;
  const title = `${result.layerName} (${result.layerClass}): what its filters respond to`;
  const subtitle = `gradient ascent from grey noise${options.steps ? `, ${options.steps} steps` : ''}; `
    + `${patterns.length} of ${result.filterCount} filters`
    + (silent > 0 ? `; ${silent} never activate${silent === 1 ? 's' : ''} and ${silent === 1 ? 'is' : 'are'} left blank` : '');
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  const isClassLayer = options.classNames !== undefined && result.filterCount === options.classNames.length;

  patterns.forEach((pattern, i) => {
    const x = margin + (i % columns) * (tile + gap);
    const y = top + Math.floor(i / columns) * (tile + captionHeight + gap);
    const label = isClassLayer ? options.classNames![pattern.filter] : `#${pattern.filter}`;
    if (pattern.active) {
      drawImageScaled(context, pattern.image, x, y, tile);
      frame(context, x, y, tile, tile);
    } else {
      context.fillStyle = palette.panel;
      context.fillRect(x, y, tile, tile);
      frame(context, x, y, tile, tile);
      centredText(context, 'never', x + tile / 2, y + tile / 2 - 2, tile - 4, 12, palette.faint);
      centredText(context, 'activates', x + tile / 2, y + tile / 2 + 13, tile - 4, 12, palette.faint);
    }
    centredText(context, label, x + tile / 2, y + tile + 14, tile + gap, 12, pattern.active ? palette.text : palette.faint);
  });
  return finishFigure(canvas, options.name ?? `activations_${result.layerName}`, title,
    'Each tile is an input made to excite one filter as much as possible: the pattern that filter looks for.');
}

/**
 * One channel of a feature map in the inferno colour map, scaled from 0 (or its minimum,
 * if negative) to its own peak; `flat` when the channel holds one value everywhere.
 */
export function featureMapTile(maps: FeatureMaps, channel: number): { image: Image; flat: boolean } {
  const plane = featureMapChannel(maps, channel);
  let low = Infinity;
  let high = -Infinity;
  for (const value of plane) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const flat = !(high > low);
  return { image: heatImage(plane, maps.height, maps.width, inferno, Math.min(0, low), flat ? 1 : high), flat };
}

/** Every channel of a conv layer's output for one image, each map scaled to its own peak. */
export function featureMapGrid(maps: FeatureMaps, image: Image, options:
  { name?: string; columns?: number; maxChannels?: number } = {}): Figure {
  const shown = Math.min(maps.channels, options.maxChannels ?? 64);
  const tile = displaySize(maps, 64);
  const columns = Math.min(options.columns ?? 8, shown);
  const rows = Math.ceil(shown / columns);
  const inputSize = displaySize(image, 128);
  const gridLeft = margin + inputSize + 3 * gap;
  const legendWidth = 70;
  const width = gridLeft + columns * tile + (columns - 1) * gap + legendWidth + margin;
  const gridHeight = rows * (tile + captionHeight + gap);
  const height = titleBlockHeight(true) + Math.max(gridHeight, inputSize + 30) + margin;
  const source = maps.outputLayerName === maps.layerName ? maps.layerName : `${maps.layerName} → ${maps.outputLayerName}`;
  const title = `${source}: ${maps.channels} feature maps of ${maps.width}x${maps.height}`;
  const subtitle = `the layer's output for the image on the left${shown < maps.channels ? `, first ${shown} channels` : ''}; `
    + 'each map scaled to its own peak';
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);

  drawImageScaled(context, image, margin, top, inputSize);
  frame(context, margin, top, inputSize, inputSize);
  centredText(context, 'input', margin + inputSize / 2, top + inputSize + 16, inputSize, 12, palette.muted);
  for (let channel = 0; channel < shown; channel++) {
    const { image: heat, flat: silent } = featureMapTile(maps, channel);
    const x = gridLeft + (channel % columns) * (tile + gap);
    const y = top + Math.floor(channel / columns) * (tile + captionHeight + gap);
    drawImageScaled(context, heat, x, y, tile);
    centredText(context, silent ? `#${channel} flat` : `#${channel}`, x + tile / 2, y + tile + 13, tile + gap, 11,
      silent ? palette.faint : palette.muted);
  }
  drawColorBar(context, inferno, {
    x: width - margin - legendWidth + 22, y: top + 20, width: 14, height: Math.min(160, gridHeight - 40), low: 0, high: 1,
    label: 'level', tickLabels: ['0', 'peak'],
  });
  return finishFigure(canvas, options.name ?? `feature_maps_${maps.layerName}`, title,
    'Bright spots are where a channel found its pattern in this image; dark or flat maps found nothing.');
}
