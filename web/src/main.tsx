// The dashboard page: a hash router over the runs page and a run's four tabs.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { RunPage, TABS, TabId } from './run_page';
import { RunsPage } from './runs_page';

type Route = { page: 'runs' } | { page: 'run'; name: string; tab: TabId };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'runs' && parts[1]) {
    let name: string;
    try {
      name = decodeURIComponent(parts[1]);
    } catch {
      return { page: 'runs' };
    }
    const tab = TABS.find((t) => t.id === parts[2])?.id ?? 'training';
    return { page: 'run', name, tab };
  }
  return { page: 'runs' };
}

function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  useEffect(() => {
    document.title = route.page === 'run' ? `${route.name} · convkit` : 'convkit dashboard';
  }, [route]);
  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/"><img src="/assets/icon.svg" alt="" width={22} height={22} /> convkit <span>dashboard</span></a>
      </header>
      {route.page === 'runs' ? <RunsPage /> : <RunPage key={route.name} name={route.name} tab={route.tab} />}
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';  // the "loading" note of index.html
render(<App />, root);
