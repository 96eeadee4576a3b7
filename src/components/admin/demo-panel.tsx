"use client";

import { useState } from "react";
import { trpc } from "@/trpc/react";

interface Scenario {
  name: string;
  description: string;
  fault: boolean;
}

/** Demo mode only: play a scenario of the simulated media stack now and watch it on the dashboard. */
export function DemoPanel({ scenarios, speed }: { scenarios: Scenario[]; speed: number }) {
  const [choice, setChoice] = useState(scenarios[0]?.name ?? "movie");
  const start = trpc.demo.start.useMutation();
  const picked = scenarios.find((s) => s.name === choice);
  return (
    <section data-testid="demo-panel" className="space-y-3" aria-labelledby="demo-heading">
      <h2 id="demo-heading" className="text-lg font-semibold">
        Demo <span className="ml-1 text-sm font-normal text-slate-400">simulated media stack, {speed}× real time</span>
      </h2>
      <div className="space-y-3 rounded-xl bg-slate-900/80 p-3 ring-1 ring-slate-800 sm:p-4">
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-center"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate({ scenario: choice });
          }}
        >
          <label htmlFor="demo-scenario" className="text-sm text-slate-300">
            Scenario
          </label>
          <select
            id="demo-scenario"
            data-testid="demo-scenario"
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            className="rounded-lg bg-slate-950 px-3 py-2 text-sm text-slate-100 ring-1 ring-slate-700 focus:outline-none focus:ring-sky-500"
          >
            {scenarios.map((s) => (
              <option key={s.name} value={s.name}>
                {s.fault ? `Fault: ${s.name.replace(/^fault-/, "")}` : s.name}
              </option>
            ))}
          </select>
          <button
            type="submit"
            data-testid="demo-start"
            disabled={start.isPending}
            className="rounded-lg bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-500 disabled:opacity-60"
          >
            {start.isPending ? "Starting…" : "Request it now"}
          </button>
        </form>
        {picked && <p className="text-sm text-slate-400">{picked.description}</p>}
        {start.data && (
          <p data-testid="demo-started" data-title={start.data.title} className="text-sm text-emerald-300">
            Requested “{start.data.title}”: watch it on the dashboard.
          </p>
        )}
        {start.error && <p className="text-sm text-amber-300">{start.error.message}</p>}
      </div>
    </section>
  );
}
