// Server-sent events: a channel polls what it watches (a few stat calls and small reads)
// and sends an event only when its JSON changed. Polling, not fs.watch: atomic renames
// replace the files being watched, and polling sees them the same on every platform.
import type { ServerResponse } from 'http';

import { SECURITY_HEADERS } from './http';

const KEEP_ALIVE_MS = 15_000;

/** One open event stream to a page. */
export class EventClient {
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly response: ServerResponse, onClose: () => void) {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Ask proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    this.keepAlive = setInterval(() => response.write(': still here\n\n'), KEEP_ALIVE_MS);
    response.on('close', () => {
      clearInterval(this.keepAlive);
      onClose();
    });
  }

  send(event: string, json: string): void {
    this.response.write(`event: ${event}\ndata: ${json}\n\n`);
  }

  close(): void {
    clearInterval(this.keepAlive);
    this.response.end();
  }
}

/** What a channel's poll returns: event name to payload; undefined leaves an event unsent. */
export type Snapshot = Record<string, unknown>;

/** Clients watching one thing; the poll runs only while there are clients. */
export class LiveChannel {
  private readonly clients = new Set<EventClient>();
  private readonly sent = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(private readonly poll: () => Snapshot | Promise<Snapshot>, private readonly intervalMs: number,
    private readonly onIdle: () => void = () => undefined) {}

  get size(): number {
    return this.clients.size;
  }

  add(response: ServerResponse): void {
    const client = new EventClient(response, () => {
      if (this.clients.delete(client) && this.clients.size === 0) this.stop();
    });
    this.clients.add(client);
    for (const [event, json] of this.sent) client.send(event, json);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.intervalMs);
      void this.tick();
    }
  }

  /** Polls now; sends each event whose payload differs from the last one sent. */
  async tick(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const snapshot = await this.poll();
      for (const [event, payload] of Object.entries(snapshot)) {
        if (payload === undefined) continue;
        const json = JSON.stringify(payload);
        if (this.sent.get(event) === json) continue;
        this.sent.set(event, json);
        for (const client of this.clients) client.send(event, json);
      }
    } catch {
      // A poll that fails (a folder removed mid-read) is retried on the next tick.
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const client of this.clients) client.close();
    this.clients.clear();
    this.sent.clear();
    this.onIdle();
  }
}
