// Stats: figures per day, partner, link and sub1 (clicks, unique clicks, registrations, FTDs, qualified FTDs,
// deposits, lots, money per currency, conversion rates), read from the click and event rollups only.

export { statsRoutes } from './stats.routes.ts';
export { readStats, type StatsFigures, type StatsResult, type StatsRow } from './stats.service.ts';
