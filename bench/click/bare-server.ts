// The baseline of bench/click.ts: a bare node:http server answering the same 302 as /c/{code} — the same
// link lookup in a Map, click id minting (HMAC), query parsing and Location building — with no framework and
// no database. Run by the benchmark as its own process: node --import tsx bench/click/bare-server.ts PORT CODE URL
import { createServer } from 'node:http';
import { clickIdCodec } from '../../src/modules/tracking/click-id.ts';
import { compileLanding, fillLanding, parseClickQuery } from '../../src/modules/tracking/landing.ts';

const [port, code, landing] = process.argv.slice(2) as [string, string, string];
const links = new Map([[code, { seq: 1, compiled: compileLanding(landing) }]]);
const codec = clickIdCodec('bare-baseline-secret-of-sufficient-length');

createServer((req, res) => {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const p = qi >= 0 ? url.slice(0, qi) : url;
  const link = p.startsWith('/c/') ? links.get(p.slice(3)) : undefined;
  if (!link) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const q = parseClickQuery(qi >= 0 ? url.slice(qi + 1) : '');
  const id = codec.mint(link.seq);
  res
    .writeHead(302, {
      location: fillLanding(link.compiled, id, q),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer-when-downgrade',
    })
    .end();
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
