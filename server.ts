import nextEnv from "@next/env";
import { startApp } from "./src/server/main";
import { ConfigError } from "./src/server/env";

// Thin entry: load .env files, start the app, stop cleanly on SIGTERM/SIGINT.
nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== "production");

try {
  const app = await startApp();
  const stop = (signal: string) => {
    app.container.logger.info(`Received ${signal}, stopping`);
    setTimeout(() => process.exit(0), 3000).unref();
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
