export * from "./requests";
export * from "./episodes";
export * from "./downloads";
export * from "./timeline";
export * from "./inbox";
export * from "./changes";
export * from "./integrations";
export * from "./deletions";
