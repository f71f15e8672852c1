import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { cifar10 } from '../../src/data';
import { ConvkitError } from '../../src/errors';
import { collectingLog, makeCifarArchive, startServer, temporaryFolder, type TestServer } from './helpers';

const archive = makeCifarArchive(5);
const archiveMd5 = createHash('md5').update(archive).digest('hex');

describe('CIFAR-10 download into the cache', () => {
  const servers: TestServer[] = [];
  const folders: Array<{ remove: () => void }> = [];
  after(async () => {
    for (const server of servers) await server.close();
    for (const folder of folders) folder.remove();
  });
  async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  }
  function cacheFolder(): string {
    const folder = temporaryFolder('download');
    folders.push(folder);
    return folder.path;
  }

  it('downloads a good archive once, verifies it, then reads the cache', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-length': archive.length });
      response.end(archive);
    });
    const cacheDir = cacheFolder();
    const { lines, log } = collectingLog();
    const first = await cifar10.loadData({ cacheDir, url: server.url, md5: archiveMd5, log, progress: true });
    assert.equal(first.train.count, 25);
    assert.equal(first.test.count, 5);
    assert.deepEqual(readdirSync(cacheDir), ['cifar-10-binary.tar.gz']);
    assert.deepEqual(readFileSync(join(cacheDir, 'cifar-10-binary.tar.gz')), archive);
    assert.ok(lines.some((line) => line.includes(`downloading ${server.url}`)));

    const second = await cifar10.loadData({ cacheDir, url: server.url, md5: archiveMd5, log });
    assert.equal(server.hits(), 1, 'the second load must come from the cache');
    assert.deepEqual(second.train.images, first.train.images);
  });

  it('takes the address from CONVKIT_CIFAR10_URL and follows redirects', async () => {
    const server = await serve((request, response) => {
      if (request.url === '/moved') {
        response.writeHead(200);
        response.end(archive);
      } else {
        response.writeHead(302, { location: '/moved' });
        response.end();
      }
    });
    process.env.CONVKIT_CIFAR10_URL = server.url;
    try {
      const data = await cifar10.loadData({ cacheDir: cacheFolder(), md5: archiveMd5, log: collectingLog().log });
      assert.equal(data.train.count, 25);
      assert.equal(server.hits(), 2);
    } finally {
      delete process.env.CONVKIT_CIFAR10_URL;
    }
  });

  it('refuses a checksum mismatch and caches nothing', async () => {
    const server = await serve((_, response) => response.end(archive));
    const cacheDir = cacheFolder();
    // Without an md5 option the official checksum applies, which the test archive cannot match.
    await assert.rejects(cifar10.loadData({ cacheDir, url: server.url, log: collectingLog().log }), (e: Error) =>
      e instanceof ConvkitError && /checksum mismatch/.test(e.message) && e.message.includes(archiveMd5) &&
      e.message.includes(cifar10.CIFAR10_MD5));
    assert.deepEqual(readdirSync(cacheDir), []);
  });

  it('survives a connection cut half-way, leaving no partial file', async () => {
    const server = await serve((_, response) => {
      response.writeHead(200, { 'content-length': archive.length });
      response.write(archive.subarray(0, archive.length >> 1), () => response.socket?.destroy());
    });
    const cacheDir = cacheFolder();
    await assert.rejects(cifar10.loadData({ cacheDir, url: server.url, md5: archiveMd5, log: collectingLog().log }),
      (e: Error) => e instanceof ConvkitError && /download of .* failed: connection lost after/.test(e.message) && /--data PATH/.test(e.message));
    assert.deepEqual(readdirSync(cacheDir), []);
    assert.ok(!existsSync(join(cacheDir, 'cifar-10-binary.tar.gz')));
  });

  it('reports HTTP errors and unreachable servers with what was tried and how to fix it', async () => {
    const missing = await serve((_, response) => {
      response.writeHead(404);
      response.end();
    });
    const cacheDir = cacheFolder();
    await assert.rejects(cifar10.loadData({ cacheDir, url: missing.url, log: collectingLog().log }),
      (e: Error) => e instanceof ConvkitError && /HTTP 404/.test(e.message));
    // Port 1 on 127.0.0.1: nothing listens there, the connection is refused at once.
    await assert.rejects(cifar10.loadData({ cacheDir, url: 'http://127.0.0.1:1/cifar.tar.gz', log: collectingLog().log }), (e: Error) =>
      e instanceof ConvkitError && /ECONNREFUSED/.test(e.message) && e.message.includes(join(cacheDir, 'cifar-10-binary.tar.gz')) &&
      /CONVKIT_DATA/.test(e.message));
    assert.deepEqual(readdirSync(cacheDir), []);
  });
});
