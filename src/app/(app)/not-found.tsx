import Link from "next/link";

/** A request or page that does not exist, inside the signed-in layout. */
export default function SignedInNotFound() {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-16 text-center">
      <p className="text-sm font-medium text-sky-400">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Not found</h1>
      <p className="mt-2 text-sm text-slate-400">There is no such request. It may have been deleted.</p>
      <Link href="/" className="mt-6 rounded-lg bg-slate-800 px-4 py-2 text-sm font-medium text-slate-100 hover:bg-slate-700">
        Back to the dashboard
      </Link>
    </div>
  );
}
