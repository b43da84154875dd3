// Partners: the partner record (profile, hierarchy, owner, tags, custom fields), contacts, the timeline,
// CSV import and export, and the object-level access rules other modules use for anything under a partner.
export { canChangePartner, canSeePartner, loadPartnerFor, type PartnerRow } from './partner-access.ts';
