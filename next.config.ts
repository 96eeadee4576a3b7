import type { NextConfig } from "next";

// No `output: "standalone"`: the custom server (server.ts) runs from the repo with node_modules.
const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
