// Small pieces every view uses: panels, status badges, stats, messages, pictures,
// probability bars and feature-map grids.
import type { ComponentChildren } from 'preact';

import type { FeatureMapSet, RankedLabel, RunStatus } from '../../src/web/api_types';
import { percent } from './format';

export function Panel({ title, subtitle, actions, children, wide, testId }: {
  title: string; subtitle?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; wide?: boolean; testId?: string;
}) {
  return (
    <section class={`panel${wide ? ' wide' : ''}`} data-testid={testId}>
      <header class="panel-head">
        <div>
          <h2>{title}</h2>
          {subtitle && <p class="muted">{subtitle}</p>}
        </div>
        {actions && <div class="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

const STATUS_TEXT: Record<RunStatus, string> = { training: 'training', stopped: 'stopped', finished: 'finished' };

export function StatusBadge({ status, detail }: { status: RunStatus; detail?: string }) {
  return <span class={`badge status-${status}`} title={detail} data-testid="status">{status === 'training' && <i class="pulse" />}{STATUS_TEXT[status]}</span>;
}

export function Stat({ label, value, hint, testId }: { label: string; value: ComponentChildren; hint?: ComponentChildren; testId?: string }) {
  return (
    <div class="stat" data-testid={testId}>
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {hint && <div class="stat-hint">{hint}</div>}
    </div>
  );
}

export function Message({ kind, children }: { kind: 'error' | 'info' | 'loading'; children: ComponentChildren }) {
  return (
    <div class={`message ${kind}`} role={kind === 'error' ? 'alert' : 'status'} data-testid={`message-${kind}`}>
      {kind === 'loading' && <span class="spinner" />}
      <span>{children}</span>
    </div>
  );
}

/** A small image shown large with square pixels, with an optional caption under it. */
export function Picture({ src, caption, size = 96, tone, onClick, selected, title }: {
  src: string; caption?: ComponentChildren; size?: number; tone?: 'good' | 'bad'; onClick?: () => void; selected?: boolean; title?: string;
}) {
  const body = (
    <>
      <img src={src} width={size} height={size} alt={typeof caption === 'string' ? caption : ''} title={title} />
      {caption && <figcaption class={tone ? `tone-${tone}` : undefined}>{caption}</figcaption>}
    </>
  );
  const classes = `picture${selected ? ' selected' : ''}${onClick ? ' clickable' : ''}`;
  return onClick
    ? <button type="button" class={classes} onClick={onClick} style={{ width: `${size}px` }}>{body}</button>
    : <figure class={classes} style={{ width: `${size}px` }}>{body}</figure>;
}

/** The top classes as labelled bars, most probable first. */
export function ProbabilityBars({ top }: { top: RankedLabel[] }) {
  return (
    <ol class="bars" data-testid="predictions">
      {top.map((entry, rank) => (
        <li key={entry.classIndex} data-testid="prediction" class={rank === 0 ? 'first' : undefined}>
          <span class="bar-label" data-testid="prediction-label">{entry.className}</span>
          <span class="bar-track"><span class="bar-fill" style={{ width: `${Math.max(1, entry.probability * 100)}%` }} /></span>
          <span class="bar-value">{percent(entry.probability)}</span>
        </li>
      ))}
    </ol>
  );
}

export function FeatureMapGrid({ set, size = 56 }: { set: FeatureMapSet; size?: number }) {
  const source = set.outputLayerName === set.layerName ? set.layerName : `${set.layerName} → ${set.outputLayerName}`;
  return (
    <div class="feature-maps">
      <h3>{source} <span class="muted">{set.channels} maps of {set.width}×{set.height}{set.tiles.length < set.channels ? `, first ${set.tiles.length} shown` : ''}</span></h3>
      <div class="tiles">
        {set.tiles.map((tile, channel) => <Picture key={channel} src={tile} size={size} caption={`#${channel}`} />)}
      </div>
    </div>
  );
}
