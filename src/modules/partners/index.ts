// Partners: the partner record (profile, hierarchy, owner, tags, custom fields), contacts, the timeline,
// CSV import and export, and the object-level access rules other modules use for anything under a partner.

export { createContact } from './contacts.service.ts';
export { CsvSyntaxError, parseCsv } from './csv.ts';
export { createCustomField } from './custom-fields.service.ts';
export {
  type PartnerInput,
  type PartnerView,
  partnerInputSchema,
  partnerPatchSchema,
  partnerViewSchema,
} from './partner.schemas.ts';
export {
  archivePartner,
  type CreatePartnerOptions,
  createPartner,
  getPartner,
  onPartnersCreated,
  type PartnerCreatedHook,
  restorePartner,
  updatePartner,
} from './partner.service.ts';
export { canChangePartner, canSeePartner, loadPartnerFor, type PartnerRow } from './partner-access.ts';
export { partnerRecord, presentPartner, presentPartners } from './partner-view.ts';
export { partnersRoutes } from './partners.routes.ts';
export * from './reference-data.ts';
