// One run: a header with its status and four tabs. The live detail comes from the run's
// event stream here, once, and is handed to the tabs.
import { useState } from 'preact/hooks';

import type { RunDetail, ValidationStrip } from '../../src/web/api_types';
import { runApi, useEvents } from './api';
import { Message, StatusBadge } from './components';
import { ModelView } from './model_view';
import { TimelineView } from './timeline_view';
import { TrainingView } from './training_view';
import { TryView } from './try_view';

export const TABS = [
  { id: 'training', label: 'Training' },
  { id: 'model', label: 'Model' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'try', label: 'Try it' },
] as const;

export type TabId = (typeof TABS)[number]['id'];

export function RunPage({ name, tab }: { name: string; tab: TabId }) {
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [strip, setStrip] = useState<ValidationStrip | null>(null);
  const connected = useEvents(runApi(name, '/events'), {
    run: (data) => setDetail(data as RunDetail),
    strip: (data) => setStrip(data as ValidationStrip),
  });
  const base = `#/runs/${encodeURIComponent(name)}`;
  return (
    <main class="page">
      <div class="page-title run-title">
        <div>
          <a class="back" href="#/">← all runs</a>
          <h1 data-testid="run-title">{name}</h1>
          {detail && <p class="muted">model <strong>{detail.summary.model}</strong> · {detail.summary.statusDetail}{connected ? '' : ' · reconnecting…'}</p>}
        </div>
        {detail && <StatusBadge status={detail.summary.status} detail={detail.summary.statusDetail} />}
      </div>
      <nav class="tabs" role="tablist">
        {TABS.map((t) => (
          <a key={t.id} role="tab" aria-selected={t.id === tab} class={t.id === tab ? 'active' : undefined} href={t.id === 'training' ? base : `${base}/${t.id}`} data-testid={`tab-${t.id}`}>
            {t.label}
          </a>
        ))}
      </nav>
      {!detail && <Message kind="loading">Connecting to the run…</Message>}
      {detail && tab === 'training' && <TrainingView detail={detail} strip={strip} />}
      {detail && tab === 'model' && <ModelView name={name} detail={detail} />}
      {detail && tab === 'timeline' && <TimelineView name={name} detail={detail} />}
      {detail && tab === 'try' && <TryView name={name} detail={detail} />}
    </main>
  );
}
