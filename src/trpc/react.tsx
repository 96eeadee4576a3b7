"use client";

import { useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCReact, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/react-query";
import superjson from "superjson";
import type { AppRouter } from "@/server/trpc/router";

/** Typed hooks for the tRPC API (only the router's type crosses into the browser). */
export const trpc = createTRPCReact<AppRouter>();

const ENDPOINT = "/api/trpc";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Pages start from server-rendered data and the live feed keeps it fresh.
        staleTime: 30_000,
        retry: (failures, error) => {
          const code = (error as { data?: { code?: string } }).data?.code;
          return code !== "UNAUTHORIZED" && code !== "FORBIDDEN" && code !== "NOT_FOUND" && failures < 2;
        },
      },
    },
  });
}

export function TrpcProvider({ children }: { children: React.ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [client] = useState(() =>
    trpc.createClient({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          // EventSource: reconnects by itself and sends the last tracked id, so nothing is missed.
          true: httpSubscriptionLink({ url: ENDPOINT, transformer: superjson }),
          false: httpBatchLink({ url: ENDPOINT, transformer: superjson }),
        }),
      ],
    }),
  );
  return (
    <trpc.Provider client={client} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
