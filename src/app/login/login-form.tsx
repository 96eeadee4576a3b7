"use client";

import { useActionState } from "react";
import { signInAction, type LoginState } from "./actions";

export function LoginForm({ next, hint }: { next: string; hint: string }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(signInAction, { error: null });
  return (
    <form action={action} className="space-y-4" data-testid="login-form">
      <input type="hidden" name="next" value={next} />
      <label className="block">
        <span className="text-sm text-slate-300">Username</span>
        <input
          name="username"
          autoComplete="username"
          required
          autoFocus
          className="mt-1 block w-full rounded-lg border border-slate-700 bg-slate-950 px-3 py-2.5 text-slate-100 outline-none focus:border-sky-500"
        />
      </label>
      <label className="block">
        <span className="text-sm text-slate-300">Password</span>
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="mt-1 block w-full rounded-lg border border-slate-700 bg-slate-950 px-3 py-2.5 text-slate-100 outline-none focus:border-sky-500"
        />
      </label>
      {state.error && (
        <p role="alert" className="rounded-lg bg-rose-950/60 px-3 py-2 text-sm text-rose-200">
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-lg bg-sky-600 px-4 py-2.5 font-medium text-white hover:bg-sky-500 disabled:opacity-60"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <p className="text-xs text-slate-500">{hint}</p>
    </form>
  );
}
