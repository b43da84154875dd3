// Access: users, sign-in sessions, API keys, roles and their permissions. Other modules use the Actor from
// platform/auth; they call into this module only to create users or keys (CLI, demo seed, tests).
export { accessRoutes } from './access.routes.ts';
export { createApiKey, createUser, login, presentUser, type UserView } from './access.service.ts';
export { bootstrap } from './bootstrap.ts';
