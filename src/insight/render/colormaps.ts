// Colour maps as a handful of evenly spaced anchor colours, linearly interpolated. The
// anchors follow the look of matplotlib's YlOrRd, inferno and RdBu (reversed).

export type Rgb = readonly [number, number, number];

export interface ColorMap {
  name: string;
  /** Colours at 0, 1/(n-1), ..., 1. */
  anchors: readonly Rgb[];
}

function hex(code: string): Rgb {
  const value = parseInt(code.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Sequential, pale yellow to dark red: for "how much it matters" (occlusion, Grad-CAM). */
export const yellowOrangeRed: ColorMap = {
  name: 'YlOrRd',
  anchors: ['#ffffcc', '#fed976', '#fd8d3c', '#e31a1c', '#800026'].map(hex),
};

/** Sequential, black through purple and orange to pale yellow: for feature maps. */
export const inferno: ColorMap = {
  name: 'inferno',
  anchors: ['#000004', '#320a5e', '#781c6d', '#bc3754', '#ed6925', '#fbb61a', '#fcffa4'].map(hex),
};

/** Diverging, blue through white to red: for signed gradients (0 sits at the middle). */
export const blueWhiteRed: ColorMap = {
  name: 'blue-white-red',
  anchors: ['#2166ac', '#92c5de', '#f7f7f7', '#f4a582', '#b2182b'].map(hex),
};

/** Sequential, white to deep blue: for the confusion matrix. */
export const whiteBlue: ColorMap = {
  name: 'Blues',
  anchors: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'].map(hex),
};

/** The colour at `t` in 0..1 (clipped). */
export function colorAt(map: ColorMap, t: number): Rgb {
  const clipped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clipped * (map.anchors.length - 1);
  const index = Math.min(map.anchors.length - 2, Math.floor(position));
  const fraction = position - index;
  const [a, b] = [map.anchors[index], map.anchors[index + 1]];
  return [0, 1, 2].map((channel) => Math.round(a[channel] + (b[channel] - a[channel]) * fraction)) as unknown as Rgb;
}

export function cssColor(rgb: Rgb): string {
  return `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
}
