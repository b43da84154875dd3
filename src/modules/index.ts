// Every module's routes, registered in one place. Add a module's route function here when it gains routes.
import type { App, Deps } from '../platform/http/types.ts';
import { accessRoutes } from './access/index.ts';
import { systemRoutes } from './system/index.ts';

export async function registerModules(app: App, deps: Deps): Promise<void> {
  await systemRoutes(app, deps);
  await accessRoutes(app, deps);
}
