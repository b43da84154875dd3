// Test helper: a local HTTP receiver on 127.0.0.1 that records every connection and request and answers
// with whatever the test says. Tests of outbound calls talk only to receivers like this one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
}

export interface Receiver {
  port: number;
  host: string;
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  requests: ReceivedRequest[];
  connections: number;
  answer: (req: ReceivedRequest) => Answer | Promise<Answer>;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: Receiver['answer'] = () => ({ status: 200, body: 'OK' }),
  host = '127.0.0.1',
): Promise<Receiver> {
  const sockets = new Set<import('node:net').Socket>();
  const r: Receiver = {
    port: 0,
    host,
    url: '',
    requests: [],
    connections: 0,
    answer,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      r.requests.push(received);
      const a = await r.answer(received);
      if (a.delayMs) await new Promise((resolve) => setTimeout(resolve, a.delayMs));
      if (res.destroyed) return;
      res.writeHead(a.status ?? 200, { 'content-type': 'text/plain', ...(a.headers ?? {}) });
      res.end(a.body ?? '');
    });
  });
  server.on('connection', (socket) => {
    r.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://${host}:${r.port}`;
  return r;
}
