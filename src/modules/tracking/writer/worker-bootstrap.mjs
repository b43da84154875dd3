// Starts the SQLite writer worker: worker threads do not inherit the tsx loader, so register it here (as
// bin/partnerdesk.js does for the main thread), then load the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-worker.ts');
