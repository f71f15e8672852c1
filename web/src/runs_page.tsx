// The runs page: every run in the runs folder as a card, kept current by the server's events.
import { useState } from 'preact/hooks';

import type { RunSummary } from '../../src/web/api_types';
import { useEvents, useJson } from './api';
import { Message, StatusBadge } from './components';
import { ago, percent } from './format';

function RunCard({ run }: { run: RunSummary }) {
  const planned = run.epochsPlanned ?? run.epochsDone;
  const share = planned > 0 ? Math.min(1, run.epochsDone / planned) : 0;
  return (
    <a class={`run-card status-edge-${run.status}`} href={`#/runs/${encodeURIComponent(run.name)}`} data-testid="run-card" data-run={run.name}>
      <div class="run-card-top">
        <h2 class="run-name">{run.name}</h2>
        <StatusBadge status={run.status} detail={run.statusDetail} />
      </div>
      <div class="run-model">model <strong>{run.model}</strong></div>
      <div class="run-numbers">
        <div>
          <div class="big">{percent(run.bestValAccuracy)}</div>
          <div class="muted small">best val accuracy</div>
        </div>
        <div>
          <div class="big">{run.epochsDone}<span class="muted">{run.epochsPlanned !== null ? ` / ${run.epochsPlanned}` : ''}</span></div>
          <div class="muted small">epochs</div>
        </div>
      </div>
      <div class="progress"><span style={{ width: `${share * 100}%` }} /></div>
      <div class="muted small run-foot">
        <span>{run.statusDetail}</span>
        <span>updated {ago(run.updatedAt)}</span>
      </div>
    </a>
  );
}

export function RunsPage() {
  const hello = useJson<{ runsDir: string }>('/api/hello');
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const connected = useEvents('/api/events', { runs: (data) => setRuns(data as RunSummary[]) });
  return (
    <main class="page">
      <div class="page-title">
        <h1>Runs</h1>
        <p class="muted">{hello.data ? <>in <code>{hello.data.runsDir}</code></> : ' '}{connected ? '' : ' · reconnecting…'}</p>
      </div>
      {runs === null && <Message kind="loading">Reading the runs folder…</Message>}
      {runs?.length === 0 && (
        <div class="empty">
          <h2>No runs yet</h2>
          <p>Train one and it appears here while it trains:</p>
          <pre>npx convkit train --model basic --epochs 10 --out runs/basic</pre>
        </div>
      )}
      {runs && runs.length > 0 && <div class="run-grid" data-testid="runs">{runs.map((run) => <RunCard key={run.name} run={run} />)}</div>}
    </main>
  );
}
