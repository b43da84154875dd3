// Access: users, sign-in sessions, API keys, roles and their permissions. Other modules use the Actor from
// platform/auth; they call into this module only to create users or keys (CLI, demo seed, tests).
export { accessRoutes } from './access.routes.ts';
export {
  type ApiKeyView,
  createApiKey,
  createUser,
  login,
  presentUser,
  type UserView,
} from './access.service.ts';
export { listApiKeys, revokeApiKey } from './api-keys.service.ts';
export { type BootstrapResult, bootstrap } from './bootstrap.ts';
export { rolesOverview, setRolePermissions } from './roles.service.ts';
export {
  createUserByAdmin,
  disableUser,
  enableUser,
  listUsers,
  setUserPassword,
  updateUser,
} from './users.service.ts';
