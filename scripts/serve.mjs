// A small static server for build/web/ on 127.0.0.1 (the run command and the browser tests).
//   node scripts/serve.mjs [--port N] [--dir build/web] [--no-isolation]   (PORT in the environment works too)
// Prints the URL once listening. Sends COOP/COEP so that the page is cross-origin isolated and
// runs its threaded build; --no-isolation leaves them out, as a plain static host does (the page
// then trains on one thread). Files carry an ETag: a second request for one (the trainer's worker
// loading the page's script) is answered from the browser's cache. Code (.html, .js, .wasm) goes
// gzip-compressed to a browser that accepts it, as any production host sends it; the data assets
// are gzip files already.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const port = Number(option('--port', process.env.PORT || 8080));
const root = path.resolve(option('--dir', 'build/web'));
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm',
  '.gz': 'application/octet-stream', '.clmodel': 'application/octet-stream', '.png': 'image/png',
};

const compressible = new Set(['.html', '.js', '.wasm']);

export function serve(dir, listenPort, { isolation = true } = {}) {
  const compressed = new Map();  // file → {etag, body}: each version compressed once
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const file = path.join(dir, decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    if (!file.startsWith(dir + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const headers = {
        'Content-Type': types[path.extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-cache',
        ETag: `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`,
        'X-Content-Type-Options': 'nosniff',
      };
      if (isolation) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      if (req.headers['if-none-match'] === headers.ETag) {
        res.writeHead(304, headers).end();
        return;
      }
      let body = await readFile(file);
      if (compressible.has(path.extname(file)) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
        let entry = compressed.get(file);
        if (!entry || entry.etag !== headers.ETag) compressed.set(file, (entry = { etag: headers.ETag, body: gzipSync(body, { level: 9 }) }));
        body = entry.body;
        headers['Content-Encoding'] = 'gzip';
        headers.Vary = 'Accept-Encoding';
      }
      server.bytesSent += req.method === 'HEAD' ? 0 : body.length;
      res.writeHead(200, { ...headers, 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  server.bytesSent = 0;  // bodies sent: what pages loaded over the network, cache hits excluded
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  serve(root, port, { isolation: !args.includes('--no-isolation') }).then(
    (server) => console.log(`ConvLab is served at http://127.0.0.1:${server.address().port}/  (Ctrl+C to stop)`),
    (e) => {
      console.error(`cannot serve on 127.0.0.1:${port}: ${e.message} (choose another port: --port N or PORT=N)`);
      process.exit(1);
    },
  );
}
