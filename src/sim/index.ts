/**
 * The simulated media stack: Jellyseerr, Radarr, Sonarr, qBittorrent, Shoko and Jellyfin over
 * real HTTP, driven by a controllable clock and by scenarios. See DESIGN.md section 7.
 */
export { startSimStack, envForTracker, demoLoop, poolOf, SIM_CREDENTIALS } from "./stack";
export type { SimStack, SimStackOptions, SimCredentials, DemoLoopOptions } from "./stack";
export { World } from "./world";
export type { WorldOptions, ScenarioRun, LibraryFile } from "./world";
export { SCENARIOS, SCENARIO_NAMES, scenario } from "./scenarios";
export type { ScenarioSpec, ScenarioName, TitlePool } from "./scenarios";
export { SIM_USERS } from "./model/users";
export type { SimUser } from "./model/users";
export { DEFAULT_TIMINGS, SIM_SERVICES } from "./model/types";
export type { QbitVersion, SimServiceName, SimTimings } from "./model/types";
export { WebhookOutbox, buildWebhookBody } from "./webhooks";
export type { WebhookDelivery, WebhookTarget } from "./webhooks";
export { startWebhookCapture } from "./capture";
export type { CapturedWebhook, WebhookCapture } from "./capture";
