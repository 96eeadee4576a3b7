import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { SCENARIOS } from "@/sim/scenarios";
import { adminProcedure, protectedProcedure, router } from "../init";

/** Demo mode only: which scenarios the simulated stack can play, and starting one on demand. */
export const demoRouter = router({
  info: protectedProcedure.query(({ ctx }) => {
    const demo = ctx.container.demo;
    if (!demo) return { enabled: false as const, scenarios: [] };
    return {
      enabled: true as const,
      speed: ctx.container.config.demoSpeed,
      scenarios: Object.values(SCENARIOS).map((s) => ({ name: s.name, description: s.description, fault: s.fault })),
    };
  }),

  /** Starts a scenario now, with a title not yet in use; answers which title to look for. */
  start: adminProcedure.input(z.object({ scenario: z.string().min(1).max(60) })).mutation(({ ctx, input }) => {
    const demo = ctx.container.demo;
    if (!demo) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "Scenarios can only be started in demo mode." });
    if (!(input.scenario in SCENARIOS)) throw new TRPCError({ code: "BAD_REQUEST", message: `There is no scenario called "${input.scenario}".` });
    const started = demo.startScenario(input.scenario, ctx.user.name);
    if (!started) throw new TRPCError({ code: "CONFLICT", message: "Every title for that scenario is in use right now; try again in a minute." });
    return started;
  }),
});
