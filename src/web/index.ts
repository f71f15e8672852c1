// convkit's live dashboard: `startDashboard` serves the page for a runs folder, and
// `DashboardProgress` is the training callback that feeds its live view between epochs.
export { DEFAULT_HOST, DEFAULT_PORT, Dashboard, DashboardOptions, startDashboard } from './server';
export { DashboardProgress, LIVE_FILE } from './live_progress';
export type * from './api_types';
