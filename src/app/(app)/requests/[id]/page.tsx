import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TRPCError } from "@trpc/server";
import { LiveUpdates } from "@/components/live/live-updates";
import { RequestDetail } from "@/components/request-detail";
import { liveCursor, serverCaller } from "@/trpc/server";
import { requireUser } from "../../../_lib/session";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

function parseId(raw: string): number | null {
  const id = Number(raw);
  return Number.isInteger(id) && id > 0 ? id : null;
}

async function load(raw: string, path: string) {
  const user = await requireUser(path);
  const id = parseId(raw);
  if (id === null) notFound();
  const cursor = await liveCursor();
  try {
    return { user, id, cursor, detail: await serverCaller(user).requests.detail({ id }) };
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  return { title: `Request #${id} · Status Tracker` };
}

export default async function RequestPage({ params }: Params) {
  const { id: raw } = await params;
  const { user, id, cursor, detail } = await load(raw, `/requests/${raw}`);
  return (
    <>
      <LiveUpdates startAfter={cursor} userName={user.name} />
      <RequestDetail id={id} initial={detail} isAdmin={user.role === "admin"} />
    </>
  );
}
