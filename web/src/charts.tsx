// Training curves with uPlot: small (about 50 KB), fast, canvas-drawn, with real axes,
// legend and hover readout, and it redraws cheaply when epochs arrive every few seconds.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface CurveSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  dashed?: boolean;
}

const HEIGHT = 240;

function options(width: number, yLabel: string, series: CurveSeries[], percentAxis: boolean): uPlot.Options {
  const format = (value: number) => (percentAxis ? `${(value * 100).toFixed(0)}%` : value.toPrecision(3));
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: percentAxis ? { range: (_u, min, max) => [Math.max(0, Math.min(min, 0.9) - 0.05), Math.min(1, max + 0.05)] } : {} },
    axes: [
      { label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, ticks) => ticks.map((t) => String(t)), stroke: '#475569', grid: { stroke: '#e2e8f0' } },
      { label: yLabel, values: (_u, ticks) => ticks.map(format), stroke: '#475569', grid: { stroke: '#e2e8f0' }, size: 56 },
    ],
    series: [
      { label: 'epoch' },
      ...series.map((s) => ({
        label: s.label, stroke: s.color, width: 2.5, dash: s.dashed ? [6, 4] : undefined, spanGaps: true,
        points: { show: true, size: 7, fill: s.color },
        value: (_u: uPlot, value: number | null) => (value === null ? '–' : percentAxis ? `${(value * 100).toFixed(2)}%` : value.toFixed(4)),
      })),
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
}

/** A line chart of per-epoch values that follows its container's width and its data. */
export function CurveChart({ epochs, series, yLabel, percentAxis = false, testId }: {
  epochs: number[]; series: CurveSeries[]; yLabel: string; percentAxis?: boolean; testId?: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');
  const data = [epochs, ...series.map((s) => s.values)] as uPlot.AlignedData;

  useEffect(() => {
    const element = holder.current!;
    plot.current = new uPlot(options(Math.max(200, element.clientWidth), yLabel, series, percentAxis), data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape, yLabel, percentAxis]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  return <div class="chart" ref={holder} data-testid={testId} data-points={epochs.length} />;
}
