// Talking to the dashboard server: JSON requests whose errors carry the server's message,
// and hooks for a request's state and for a server-sent event stream.
import { useEffect, useRef, useState } from 'preact/hooks';

export function runApi(name: string, suffix = ''): string {
  return `/api/runs/${encodeURIComponent(name)}${suffix}`;
}

/** Fetches JSON; a failure throws an Error with the server's own explanation. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error('the dashboard server does not answer (is `convkit serve` still running?)');
  }
  const body = await response.json().catch(() => null) as { error?: string } | null;
  if (!response.ok) throw new Error(body?.error ?? `the server answered ${response.status} ${response.statusText}`);
  return body as T;
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** GETs `url` (null: nothing yet) and again whenever it changes or `reload` is called. */
export function useJson<T>(url: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({ data: null, error: null, loading: url !== null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (url === null) return;
    let current = true;
    setState((previous) => ({ data: previous.data, error: null, loading: true }));
    fetchJson<T>(url).then(
      (data) => { if (current) setState({ data, error: null, loading: false }); },
      (error: Error) => { if (current) setState({ data: null, error: error.message, loading: false }); },
    );
    return () => { current = false; };
  }, [url, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}

/** Subscribes to a server-sent event stream; returns whether it is connected. */
export function useEvents(url: string, handlers: Record<string, (data: unknown) => void>): boolean {
  const latest = useRef(handlers);
  latest.current = handlers;
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource(url);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);  // EventSource reconnects by itself
    for (const name of Object.keys(latest.current)) {
      source.addEventListener(name, (event) => latest.current[name]?.(JSON.parse((event as MessageEvent<string>).data)));
    }
    return () => source.close();
  }, [url]);
  return connected;
}
