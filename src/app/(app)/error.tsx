"use client";

/** A page that failed to render: say so, and offer a retry instead of a blank screen. */
export default function SignedInError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto max-w-md rounded-xl bg-rose-950/40 px-6 py-8 text-center ring-1 ring-rose-900">
      <h1 className="text-lg font-semibold text-rose-100">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-rose-200/80">{error.digest ? `The server logged the error (${error.digest}).` : error.message}</p>
      <button type="button" onClick={reset} className="mt-5 rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700">
        Try again
      </button>
    </div>
  );
}
