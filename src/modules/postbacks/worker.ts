// The background loop of one app instance: consume postback events from the outbox, then send due
// deliveries, and again; it waits a second when there was nothing to do. Started by the app when it is
// ready (unless PARTNERDESK_WORKERS=false) and stopped when it closes, after the cycle in flight ends.
import type { Store } from '../../platform/tx.ts';
import { type DeliveryOptions, newWorkerId, runDeliveryCycle, runOutboxCycle } from './delivery.ts';

export interface PostbackWorker {
  workerId: string;
  stop(): Promise<void>;
}

export function startPostbackWorker(
  store: Store,
  opts: DeliveryOptions & { idleMs?: number },
): PostbackWorker {
  const workerId = opts.workerId ?? newWorkerId();
  const idleMs = opts.idleMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      try {
        const outbox = await runOutboxCycle(store);
        const sent = await runDeliveryCycle(store, { ...opts, workerId });
        busy = outbox.processed > 0 || sent.claimed > 0;
      } catch (err) {
        opts.log?.error({ err }, 'postback worker cycle failed');
      }
      if (stopped) break;
      if (!busy) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, idleMs);
        });
        wake = null;
      }
    }
  })();
  return {
    workerId,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      (wake as (() => void) | null)?.();
      await loop;
    },
  };
}
