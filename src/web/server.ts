// The dashboard's HTTP server (Node's own http module: a dozen routes need no framework).
// It answers JSON for the page, streams live updates as server-sent events, and serves only
// its own page and files inside the runs folder. Every failure becomes a reply, never a crash.
import * as http from 'http';
import * as path from 'path';

import { ConvkitError } from '../errors';
import type { RunSummary, ValidationStrip } from './api_types';
import { HttpError, notFound, sendError, sendJson } from './http';
import { LiveChannel, Snapshot } from './live_channels';
import { ModelViews, modelSignature, wholeNumberParameter } from './model_views';
import { listRunNames, listRuns, readRunDetail } from './run_folders';
import { plainSegment } from './safe_paths';
import { findAssetFolder, serveAsset, serveRunFile } from './static_files';
import { UPLOAD_LIMIT_BYTES, readImageUpload } from './upload';

export const DEFAULT_PORT = 7860;
export const DEFAULT_HOST = '127.0.0.1';
const APP_NAME = 'convkit-dashboard';

export interface DashboardOptions {
  /** The folder whose sub-folders are runs (created by nobody: it may not exist yet). */
  runsDir: string;
  /** Default 7860; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1, this machine only. */
  host?: string;
  /** Validation images the model view evaluates (default 1000). */
  evaluationImages?: number;
  uploadLimitBytes?: number;
  /** Where unexpected errors are told; default console.error. */
  log?: (line: string) => void;
}

export interface Dashboard {
  url: string;
  /** True when another convkit dashboard already served this runs folder at that address. */
  reused: boolean;
  close(): Promise<void>;
}

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle: (context: RequestContext) => void | Promise<void>;
}

interface RequestContext {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  /** The pattern's groups, still %-encoded. */
  groups: string[];
  query: URLSearchParams;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The Host header without its port. */
function hostName(header: string | undefined): string {
  if (!header) return '';
  const bracketed = /^\[([^\]]+)\]/.exec(header);
  return bracketed ? bracketed[1] : header.replace(/:\d+$/, '');
}

class DashboardServer {
  readonly views: ModelViews;
  private readonly assetFolder = findAssetFolder();
  private readonly runChannels = new Map<string, LiveChannel>();
  private readonly runsChannel: LiveChannel;
  private readonly strips = new Map<string, { signature: string; strip?: ValidationStrip }>();
  private readonly routes: Route[];
  private readonly log: (line: string) => void;

  constructor(readonly runsDir: string, private readonly options: DashboardOptions, private readonly loopbackOnly: boolean) {
    this.log = options.log ?? ((line) => console.error(line));
    this.views = new ModelViews(runsDir, { evaluationImages: options.evaluationImages });
    this.runsChannel = new LiveChannel(() => ({ runs: listRuns(this.runsDir) }), 1000);
    const run = '/api/runs/([^/]+)';
    this.routes = [
      { method: 'GET', pattern: /^\/(?:index\.html)?$/, handle: ({ response }) => serveAsset(response, this.assetFolder, 'index.html') },
      { method: 'GET', pattern: /^\/assets\/([^/]+)$/, handle: ({ response, groups }) => serveAsset(response, this.assetFolder, groups[0]) },
      { method: 'GET', pattern: /^\/files\/(.+)$/, handle: ({ response, groups }) => serveRunFile(response, this.runsDir, groups[0].split('/')) },
      { method: 'GET', pattern: /^\/api\/hello$/, handle: ({ response }) => sendJson(response, 200, { app: APP_NAME, runsDir: this.runsDir }) },
      { method: 'GET', pattern: /^\/api\/runs$/, handle: ({ response }) => sendJson(response, 200, listRuns(this.runsDir) satisfies RunSummary[]) },
      { method: 'GET', pattern: /^\/api\/events$/, handle: ({ response }) => this.runsChannel.add(response) },
      { method: 'GET', pattern: new RegExp(`^${run}$`), handle: (c) => sendJson(c.response, 200, readRunDetail(this.runsDir, this.runName(c))) },
      { method: 'GET', pattern: new RegExp(`^${run}/events$`), handle: (c) => this.runChannel(this.runName(c)).add(c.response) },
      { method: 'GET', pattern: new RegExp(`^${run}/model$`), handle: (c) => this.reply(c, this.views.modelInfo(this.runName(c))) },
      { method: 'GET', pattern: new RegExp(`^${run}/evaluation$`), handle: (c) => this.reply(c, this.views.evaluation(this.runName(c))) },
      { method: 'GET', pattern: new RegExp(`^${run}/images$`), handle: (c) => this.reply(c, this.imageCards(c)) },
      {
        method: 'GET', pattern: new RegExp(`^${run}/explain$`),
        handle: (c) => this.reply(c, this.views.explain(this.runName(c), wholeNumberParameter(c.query.get('image'), 'image'))),
      },
      {
        method: 'GET', pattern: new RegExp(`^${run}/patterns$`),
        handle: (c) => this.reply(c, this.views.patterns(this.runName(c), c.query.get('layer') ?? '')),
      },
      { method: 'POST', pattern: new RegExp(`^${run}/predict$`), handle: (c) => this.reply(c, this.predict(c)) },
      { method: 'GET', pattern: new RegExp(`^${run}/strip$`), handle: (c) => this.reply(c, this.views.strip(this.runName(c))) },
      { method: 'GET', pattern: new RegExp(`^${run}/timeline$`), handle: (c) => sendJson(c.response, 200, this.views.timeline(this.runName(c))) },
      {
        method: 'GET', pattern: new RegExp(`^${run}/timeline/([^/]+)$`),
        handle: (c) => this.reply(c, this.views.timelineFrame(this.runName(c), wholeNumberParameter(c.groups[1], 'epoch'))),
      },
    ];
  }

  /** The run a URL names: a plain folder name that is one of the runs, else 404. */
  private runName(context: RequestContext): string {
    const name = plainSegment(context.groups[0]);
    if (name === null || !listRunNames(this.runsDir).includes(name)) throw notFound('no such run');
    return name;
  }

  private async reply(context: RequestContext, result: Promise<unknown>): Promise<void> {
    sendJson(context.response, 200, await result);
  }

  private imageCards(context: RequestContext) {
    const { query } = context;
    const optional = (key: string) => (query.has(key) ? wholeNumberParameter(query.get(key), key) : undefined);
    return this.views.imageCards(this.runName(context), {
      trueClass: optional('true'), predicted: optional('predicted'), mistakes: query.get('mistakes') === '1',
      limit: Math.min(200, wholeNumberParameter(query.get('limit'), 'limit', 48)),
    });
  }

  private async predict(context: RequestContext) {
    const name = this.runName(context);
    const { bytes, extension } = await readImageUpload(context.request, this.options.uploadLimitBytes ?? UPLOAD_LIMIT_BYTES);
    return this.views.tryImage(name, bytes, extension);
  }

  /** The live view's channel: the run's detail, and a fresh validation strip after each checkpoint. */
  private runChannel(name: string): LiveChannel {
    let channel = this.runChannels.get(name);
    if (!channel) {
      const created: LiveChannel = new LiveChannel((): Snapshot => {
        const detail = readRunDetail(this.runsDir, name);
        return { run: detail, strip: detail.summary.hasModel ? this.latestStrip(name, created) : undefined };
      }, 500, () => this.runChannels.delete(name));
      channel = created;
      this.runChannels.set(name, channel);
    }
    return channel;
  }

  /** The strip for the current checkpoint; starts computing a new one when model.json changed. */
  private latestStrip(name: string, channel: LiveChannel): ValidationStrip | undefined {
    const signature = modelSignature(path.join(this.runsDir, name));
    const known = this.strips.get(name);
    if (known?.signature === signature) return known.strip;
    const entry: { signature: string; strip?: ValidationStrip } = { signature, strip: known?.strip };
    this.strips.set(name, entry);
    this.views.strip(name).then((strip) => {
      entry.strip = strip;
      void channel.tick();
    }, (error) => this.log(`dashboard: validation strip of ${name}: ${(error as Error).message}`));
    return entry.strip;
  }

  private allowedHost(request: http.IncomingMessage): boolean {
    // A page on another site can point a hostname at 127.0.0.1 (DNS rebinding); such
    // requests carry that hostname, so a loopback-only server answers loopback names only.
    return !this.loopbackOnly || isLoopback(hostName(request.headers.host));
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    try {
      if (!this.allowedHost(request)) throw new HttpError(403, 'this dashboard answers on localhost only');
      const target = request.url ?? '/';
      const rawPath = target.split('?')[0];
      const query = new URLSearchParams(target.slice(rawPath.length + 1));
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const matching = this.routes.filter((route) => route.pattern.test(rawPath));
      if (matching.length === 0) throw notFound();
      const route = matching.find((candidate) => candidate.method === method);
      if (!route) throw new HttpError(405, `${request.method} is not allowed here`);
      const groups = (route.pattern.exec(rawPath) ?? []).slice(1);
      await route.handle({ request, response, groups, query });
    } catch (error) {
      this.fail(response, error);
    }
  }

  private fail(response: http.ServerResponse, error: unknown): void {
    if (error instanceof HttpError) return sendError(response, error.status, error.message);
    if (error instanceof ConvkitError) return sendError(response, 422, error.message);
    this.log(`dashboard: unexpected error: ${(error as Error)?.stack ?? error}`);
    sendError(response, 500, `internal error: ${(error as Error)?.message ?? error}`);
  }

  close(): void {
    this.runsChannel.stop();
    for (const channel of [...this.runChannels.values()]) channel.stop();
    this.views.dispose();
  }
}

/** Asks whether a convkit dashboard for `runsDir` already answers at `url`. */
async function existingDashboard(url: string, runsDir: string): Promise<boolean> {
  try {
    const reply = await fetch(new URL('/api/hello', url), { signal: AbortSignal.timeout(2000) });
    const body = await reply.json() as { app?: string; runsDir?: string };
    return body.app === APP_NAME && body.runsDir === runsDir;
  } catch {
    return false;
  }
}

/**
 * Starts the dashboard for the runs in `runsDir` and resolves once it listens. When the
 * port is taken by a dashboard of the same runs folder (`convkit serve` already running),
 * that one is used: training reports to it through the run folder's files.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const runsDir = path.resolve(options.runsDir);
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  const dashboard = new DashboardServer(runsDir, options, isLoopback(host));
  const server = http.createServer((request, response) => void dashboard.handle(request, response));
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    dashboard.close();
    const code = (error as NodeJS.ErrnoException).code;
    const url = `http://${urlHost(host)}:${port}/`;
    if (code === 'EADDRINUSE' && await existingDashboard(url, runsDir)) {
      return { url, reused: true, close: async () => undefined };
    }
    if (code === 'EADDRINUSE') throw new ConvkitError(`port ${port} on ${host} is in use; choose another with --port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConvkitError(`cannot listen on ${host}: no such address on this machine`);
    throw new ConvkitError(`cannot start the dashboard on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${urlHost(host)}:${actualPort}/`,
    reused: false,
    close: () => new Promise<void>((resolve) => {
      dashboard.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
