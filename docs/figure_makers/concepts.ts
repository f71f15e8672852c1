// The tutorial's concept figures, each from one real image: a 3x3 filter sliding over it,
// two line-finding filters, ReLU, and max pooling on a 4x4 piece of a feature map.
import type { SKRSContext2D } from '@napi-rs/canvas';

import type { Image } from '../../src/insight';
import { blueWhiteRed, colorAt, cssColor, heatImage } from '../../src/insight/render';
import {
  Figure, centredText, drawColorBar, drawImageScaled, finishFigure, frame, margin, palette, titleBlockHeight, titledCanvas,
} from '../../src/insight/render/drawing';
import { font } from '../../src/insight/render/fonts';
import { arrow, blackToWhite, caption, drawNumberGrid, operatorSign, outline, widthForTitles } from './cells';
import {
  HORIZONTAL_LINES, Plane, VERTICAL_LINES, convolve, displayLimit, greyPlane, maxPool2x2, relu, strongestInside, window,
} from './filters';

const STEP_COLORS = [palette.correct, palette.validation, palette.extra];
/** Soft backgrounds, one per pooling window. */
const WINDOW_TINTS = ['#ddf4ff', '#fff1e5', '#dafbe1', '#fbefff'];
const panelHeader = 22;

function header(context: SKRSContext2D, text: string, x: number, y: number, width: number): void {
  centredText(context, text, x + width / 2, y + 14, width + 30, 14, palette.text, 'bold');
}

/** A plane as a picture in the blue-white-red map, 0 white, symmetric around it. */
function signedPicture(plane: Plane, limit: number): Image {
  return heatImage(plane.values, plane.height, plane.width, blueWhiteRed, -limit, limit);
}

/**
 * The vertical-line filter at three neighbouring positions of the grey image, each step's
 * nine products summed into one output value, and the whole 30x30 output.
 */
export function convolutionSteps(image: Image): Figure {
  const grey = greyPlane(image);
  const output = convolve(grey, VERTICAL_LINES);
  // Steps around the strongest response show the sum changing as the window slides.
  const peak = strongestInside(output);
  const row = Math.floor(peak / output.width);
  const firstColumn = Math.min(Math.max(0, (peak % output.width) - 1), output.width - STEP_COLORS.length);
  const scale = 8;
  const cell = 34;
  const rowHeight = 3 * cell + 26;
  const middleWidth = 3 * cell + 36 + 3 * cell + 36 + 76;
  const left = margin;
  const middle = left + grey.width * scale + 50;
  const right = middle + middleWidth + 50;
  const title = 'A 3x3 filter slides over the image, one pixel at a time';
  const subtitle = 'Each step multiplies the 9 pixels under the window by the 9 weights and adds them up: one number of the output.';
  const width = widthForTitles(right + output.width * scale + 90, title, subtitle);
  const height = titleBlockHeight(true) + panelHeader + STEP_COLORS.length * rowHeight + 30;
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  const y0 = top + panelHeader;
  const limit = displayLimit(output.values);

  header(context, `input: ${grey.height}x${grey.width}`, left, top - 4, grey.width * scale);
  drawImageScaled(context, heatImage(grey.values, grey.height, grey.width, blackToWhite, 0, 1), left, y0, grey.width * scale);
  frame(context, left, y0, grey.width * scale, grey.height * scale);
  caption(context, 'a grey copy, to keep the numbers few;', left + grey.width * scale / 2, y0 + grey.height * scale + 20, grey.width * scale + 40);
  caption(context, 'in colour the filter is 3x3x3: 27 products', left + grey.width * scale / 2, y0 + grey.height * scale + 38, grey.width * scale + 40);
  header(context, `output: ${output.height}x${output.width}`, right, top - 4, output.width * scale);
  drawImageScaled(context, signedPicture(output, limit), right, y0, output.width * scale);
  frame(context, right, y0, output.width * scale, output.height * scale);
  drawColorBar(context, blueWhiteRed, { x: right + output.width * scale + 18, y: y0 + 24, width: 14, height: 160,
    low: -limit, high: limit, label: 'sum' });
  header(context, 'three steps of the filter', middle, top - 4, middleWidth);

  STEP_COLORS.forEach((color, step) => {
    const column = firstColumn + step;
    const y = y0 + step * rowHeight;
    outline(context, left + column * scale, y0 + row * scale, 3 * scale, 3 * scale, color, 2);
    outline(context, right + column * scale - 2, y0 + row * scale - 2, scale + 4, scale + 4, color, 2);
    context.font = font(13, 'bold');
    context.fillStyle = color;
    context.fillText(`step ${step + 1}: pixels`, middle, y + 12);
    context.fillText('weights', middle + 3 * cell + 36, y + 12);
    const grid = { cell, decimals: 2, fontSize: 12, lineColor: color };
    drawNumberGrid(context, window(grey, row, column, 3), middle, y + 18, grid);
    operatorSign(context, '×', middle + 3 * cell + 18, y + 18 + 1.5 * cell);
    drawNumberGrid(context, VERTICAL_LINES, middle + 3 * cell + 36, y + 18, { ...grid, decimals: 0, lineColor: palette.faint });
    operatorSign(context, '=', middle + 6 * cell + 54, y + 18 + 1.5 * cell);
    const sum = output.values[row * output.width + column];
    const resultX = middle + 6 * cell + 72;
    drawNumberGrid(context, [[sum]], resultX, y + 18 + cell * 0.75, {
      cell: 1.5 * cell, decimals: 2, fontSize: 14, lineColor: color,
      // A paler shade of the output map's colour, so the number stays readable.
      fill: () => cssColor(colorAt(blueWhiteRed, 0.5 + 0.3 * Math.max(-1, Math.min(1, sum / limit)))),
    });
    outline(context, resultX, y + 18 + cell * 0.75, 1.5 * cell, 1.5 * cell, color, 2);
  });
  return finishFigure(canvas, 'convolution_steps', title);
}

/** The colour image, then what the vertical-line and horizontal-line filters find in it. */
export function edgeFilters(image: Image): Figure {
  const grey = greyPlane(image);
  const found = [
    { name: 'vertical-line filter', kernel: VERTICAL_LINES, response: convolve(grey, VERTICAL_LINES) },
    { name: 'horizontal-line filter', kernel: HORIZONTAL_LINES, response: convolve(grey, HORIZONTAL_LINES) },
  ];
  // One scale for both maps, so their brightness compares.
  const limit = Math.max(...found.map(({ response }) => displayLimit(response.values)));
  const side = 192;
  const gap = 44;
  const cell = 24;
  const title = 'Two hand-made filters find vertical and horizontal lines';
  const subtitle = 'White: the filter\'s sum is large (of either sign), where light meets dark along its direction.';
  const width = widthForTitles(2 * margin + 3 * side + 2 * gap, title, subtitle);
  const height = titleBlockHeight(true) + panelHeader + side + 34 + 3 * cell + margin;
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  const y0 = top + panelHeader;
  header(context, `photo, ${image.height}x${image.width}`, margin, top - 4, side);
  drawImageScaled(context, image, margin, y0, side);
  frame(context, margin, y0, side, side);
  found.forEach(({ name, kernel, response }, i) => {
    const x = margin + (i + 1) * (side + gap);
    header(context, name, x, top - 4, side);
    const strength = response.values.map(Math.abs);
    drawImageScaled(context, heatImage(strength, response.height, response.width, blackToWhite, 0, limit), x, y0, side);
    frame(context, x, y0, side, side);
    caption(context, 'its weights:', x + side / 2 - 3 * cell / 2 - 48, y0 + side + 34 + 1.5 * cell, 90);
    drawNumberGrid(context, kernel, x + side / 2 - 3 * cell / 2 + 10, y0 + side + 20, { cell, decimals: 0, fontSize: 12 });
  });
  caption(context, 'both filters run over its grey copy', margin + side / 2, y0 + side + 20, side + 30);
  return finishFigure(canvas, 'edge_filters', title);
}

/** A small chart of max(0, x). */
function drawReluCurve(context: SKRSContext2D, x: number, y: number, side: number): void {
  const toX = (value: number) => x + (value + 1) / 2 * side;
  const toY = (value: number) => y + (1 - (value + 1) / 2) * side;
  context.strokeStyle = palette.grid;
  context.lineWidth = 1;
  context.strokeRect(x + 0.5, y + 0.5, side, side);
  context.beginPath();
  context.moveTo(toX(-1), toY(0));
  context.lineTo(toX(1), toY(0));
  context.moveTo(toX(0), toY(-1));
  context.lineTo(toX(0), toY(1));
  context.stroke();
  context.strokeStyle = palette.train;
  context.lineWidth = 3;
  context.beginPath();
  context.moveTo(toX(-1), toY(0));
  context.lineTo(toX(0), toY(0));
  context.lineTo(toX(1), toY(1));
  context.stroke();
  context.font = font(12);
  context.fillStyle = palette.muted;
  context.fillText('x', toX(1) - 12, toY(0) + 16);
  context.fillText('max(0, x)', toX(0) + 6, toY(1) + 14);
  context.fillText('negative → 0', toX(-1) + 6, toY(0) - 8);
}

/** The vertical-line filter's output before and after ReLU, on one colour scale. */
export function reluFigure(image: Image): Figure {
  const before = convolve(greyPlane(image), VERTICAL_LINES);
  const after = relu(before);
  const limit = displayLimit(before.values);
  const negative = before.values.filter((value) => value < 0).length / before.values.length;
  const side = 210;
  const gap = 44;
  const title = 'ReLU keeps positive values and turns negative ones into 0';
  const subtitle = `The vertical-line filter's output for the photo above: ${Math.round(negative * 100)}% of its values `
    + 'were negative and become 0 (white).';
  const width = widthForTitles(2 * margin + 3 * side + 2 * gap + 70, title, subtitle);
  const height = titleBlockHeight(true) + panelHeader + side + 30 + margin;
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  const y0 = top + panelHeader;
  header(context, 'ReLU(x) = max(0, x)', margin, top - 4, side);
  drawReluCurve(context, margin, y0, side);
  const panels: Array<[string, Plane]> = [['before ReLU', before], ['after ReLU', after]];
  panels.forEach(([name, plane], i) => {
    const x = margin + (i + 1) * (side + gap);
    header(context, name, x, top - 4, side);
    drawImageScaled(context, signedPicture(plane, limit), x, y0, side);
    frame(context, x, y0, side, side);
  });
  arrow(context, margin + 2 * side + gap + 6, margin + 2 * (side + gap) - 6, y0 + side / 2, 'ReLU');
  drawColorBar(context, blueWhiteRed, { x: margin + 3 * side + 2 * gap + 22, y: y0 + 24, width: 14, height: 150,
    low: -limit, high: limit, label: 'value' });
  return finishFigure(canvas, 'relu', title);
}

/** The aligned 4x4 piece with the most different non-zero values: the most telling example. */
function liveliestPiece(plane: Plane): { top: number; left: number } {
  let best = { top: 0, left: 0, score: -1 };
  for (let top = 0; top + 4 <= plane.height; top += 2) {
    for (let left = 0; left + 4 <= plane.width; left += 2) {
      const values = window(plane, top, left, 4).flat();
      const distinct = new Set(values.filter((value) => value > 0.005).map((value) => value.toFixed(2))).size;
      const score = distinct + values.reduce((sum, value) => sum + value, 0) / 100;
      if (score > best.score) best = { top, left, score };
    }
  }
  return best;
}

/** Max pooling with 2x2 windows and stride 2 on a 4x4 piece of the ReLU output. */
export function maxPoolingFigure(image: Image): Figure {
  const activated = relu(convolve(greyPlane(image), VERTICAL_LINES));
  const { top: pieceTop, left: pieceLeft } = liveliestPiece(activated);
  const piece = window(activated, pieceTop, pieceLeft, 4);
  const pooled = maxPool2x2(piece);
  const cell = 58;
  const windowOf = (row: number, column: number) => Math.floor(row / 2) * 2 + Math.floor(column / 2);
  const isMaximum = (row: number, column: number) => piece[row][column] === pooled[Math.floor(row / 2)][Math.floor(column / 2)];
  const gap = 170;
  const title = 'Max pooling: each 2x2 window keeps its largest value';
  const subtitle = `A 4x4 piece of the ReLU output above (rows ${pieceTop}-${pieceTop + 3}, columns ${pieceLeft}-${pieceLeft + 3}); `
    + 'stride 2, so the windows do not overlap.';
  const width = widthForTitles(2 * margin + 30 + 4 * cell + gap + 2 * cell + 60, title, subtitle);
  const height = titleBlockHeight(true) + panelHeader + 4 * cell + 40 + margin;
  const { canvas, context, top } = titledCanvas(width, height, title, subtitle);
  const y0 = top + panelHeader;
  const x0 = margin + 30;
  header(context, 'input: 4x4', x0, top - 4, 4 * cell);
  drawNumberGrid(context, piece, x0, y0, {
    cell, decimals: 2, fontSize: 16, fill: (r, c) => WINDOW_TINTS[windowOf(r, c)], bold: isMaximum,
  });
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) if (isMaximum(r, c)) outline(context, x0 + c * cell + 4, y0 + r * cell + 4, cell - 8, cell - 8, palette.text, 2);
  }
  // Heavier lines between the four windows.
  context.fillStyle = palette.text;
  context.fillRect(x0 + 2 * cell - 1, y0, 2, 4 * cell);
  context.fillRect(x0, y0 + 2 * cell - 1, 4 * cell, 2);
  const x1 = x0 + 4 * cell + gap;
  const y1 = y0 + cell;
  arrow(context, x0 + 4 * cell + 20, x1 - 20, y0 + 2 * cell, 'max of each window');
  header(context, 'output: 2x2', x1, top - 4, 2 * cell);
  drawNumberGrid(context, pooled, x1, y1, {
    cell, decimals: 2, fontSize: 16, fill: (r, c) => WINDOW_TINTS[r * 2 + c], bold: () => true,
  });
  caption(context, 'the framed values survive', x0 + 2 * cell, y0 + 4 * cell + 24, 4 * cell + 40);
  return finishFigure(canvas, 'max_pooling', title);
}
