// The baseline of bench/events.ts: a bare node:http server answering the same JSON as GET /postback and
// POST /api/v1/events for the same requests — token or API key check, the same field validation
// (parseEvent / parseBatch), idempotency on (type, txid) in a Map so replays answer 'duplicate' with the
// original eventId, event ids minted the same way — with no framework, no attribution and no database.
// POST /__reset forgets the Map between runs. Run by the benchmark as its own process:
//   node --import tsx bench/events/bare-server.ts PORT TOKEN API_KEY
import { createServer, type ServerResponse } from 'node:http';
import { parseBatch, parseEvent } from '../../src/modules/events/ingest.ts';
import { AppError } from '../../src/platform/errors.ts';
import { newId } from '../../src/platform/ids.ts';

const [port, token, apiKey] = process.argv.slice(2) as [string, string, string];
let seen = new Map<string, string>();

interface Result {
  eventId: string;
  status: 'accepted' | 'duplicate';
  partnerId: string | null;
  attribution: string;
  attributionNote: string | null;
  isFtd: boolean;
  isQualifiedFtd: boolean;
}
function record(type: string, txid: string): Result {
  const key = `${type}\u0000${txid}`;
  const old = seen.get(key);
  const eventId = old ?? newId('event');
  if (!old) seen.set(key, eventId);
  return {
    eventId,
    status: old ? 'duplicate' : 'accepted',
    partnerId: 'ptr_bare',
    attribution: 'click',
    attributionNote: null,
    isFtd: false,
    isQualifiedFtd: false,
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(s);
}

createServer((req, res) => {
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const p = qi >= 0 ? url.slice(0, qi) : url;
  if (req.method === 'GET' && p === '/postback') {
    const fields: Record<string, unknown> = Object.fromEntries(new URLSearchParams(url.slice(qi + 1)));
    if (fields.token !== token) return send(res, 401, { code: 'unauthenticated' });
    delete fields.token;
    const parsed = parseEvent(fields, 'snake', 'query.', Date.now());
    if (!parsed.ok) return send(res, 422, { code: 'validation_failed', errors: parsed.errors });
    return send(res, 200, record(parsed.value.type, parsed.value.txid));
  }
  if (req.method === 'POST' && (p === '/api/v1/events' || p === '/__reset')) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (p === '/__reset') {
        seen = new Map();
        return send(res, 200, { ok: true });
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`)
        return send(res, 401, { code: 'unauthenticated' });
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          events: Record<string, unknown>[];
        };
        const results = parseBatch(body.events, Date.now()).map((e) => record(e.type, e.txid));
        const accepted = results.filter((r) => r.status === 'accepted').length;
        return send(res, 200, { accepted, duplicates: results.length - accepted, results });
      } catch (err) {
        return send(res, err instanceof AppError ? err.status : 400, { code: 'bad_request' });
      }
    });
    return;
  }
  send(res, 404, { code: 'not_found' });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
