"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { isActiveState } from "@/lib/states";
import { trpc } from "@/trpc/react";
import type { RequestCard } from "@/server/trpc/routers/requests";
import type { RequestChange } from "@/server/realtime/feed";
import { setLiveStatus } from "./live-status";

/** Changes that arrive within this window are fetched together. */
const BATCH_MS = 60;
/** After an unrecoverable error (not a dropped connection, which EventSource retries itself). */
const RETRY_AFTER_ERROR_MS = 5_000;
/** requests.cards accepts up to 200 ids. */
const MAX_CARDS_PER_FETCH = 200;

const listKey = getQueryKey(trpc.requests.list, undefined, "query");
const stuckKey = getQueryKey(trpc.admin.stuck, undefined, "query");
const historyKey = getQueryKey(trpc.requests.history);

/** States listed on the history page; a change into or out of them refreshes it. */
const HISTORY_STATES = new Set(["available", "declined", "deleting", "deleted", "failed", "timeout", "match_failed"]);
const PROBLEM_STATES = new Set(["failed", "timeout", "match_failed"]);

/** Inserts or replaces cards in one list, keeping its order (newest first); unchanged cards keep their identity. */
function mergeIntoList(list: RequestCard[], changed: Map<number, RequestCard | null>, accept: (card: RequestCard) => boolean): RequestCard[] {
  let touched = false;
  const seen = new Set<number>();
  const next: RequestCard[] = [];
  for (const card of list) {
    if (!changed.has(card.id)) {
      next.push(card);
      continue;
    }
    seen.add(card.id);
    touched = true;
    const fresh = changed.get(card.id);
    // Gone or declined: off the dashboard. Ready and failed stay in place until the next full load.
    if (fresh && fresh.state !== "deleted" && fresh.state !== "declined") next.push(fresh);
  }
  const added = [...changed.values()].filter((c): c is RequestCard => c !== null && !seen.has(c.id) && isActiveState(c.state) && accept(c));
  if (added.length === 0) return touched ? next : list;
  return [...added, ...next].sort((a, b) => (a.createdAt === b.createdAt ? b.id - a.id : b.createdAt.localeCompare(a.createdAt)));
}

/**
 * Subscribes to the change feed and patches the react-query cache: the changed requests' cards
 * are refetched in one batch and swapped into every cached dashboard list; their detail, the
 * history and the admin's stuck list are invalidated (refetched only where something shows them).
 * Rendered once per page, as a leaf, so a change re-renders only what displays it.
 */
export function LiveUpdates({ startAfter, userName }: { startAfter: number; userName: string }) {
  const queryClient = useQueryClient();
  const utils = trpc.useUtils();
  // Stable between events: the link itself resumes from the last id it received after a dropped
  // connection; only a restart after an error needs a new input.
  const [input, setInput] = useState(() => ({ lastEventId: String(startAfter) }));
  const lastSeen = useRef(String(startAfter));
  const pending = useRef(new Map<number, RequestChange>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const everLive = useRef(false);

  const flush = useCallback(async () => {
    timer.current = null;
    const changes = [...pending.current.values()];
    pending.current.clear();
    if (changes.length === 0) return;
    const ids = changes.map((c) => c.requestId);

    const lists = queryClient.getQueriesData<RequestCard[]>({ queryKey: listKey });
    if (lists.length > 0 && ids.length > MAX_CARDS_PER_FETCH) {
      // A long outage replayed: one full reload is cheaper than patching.
      await utils.requests.list.invalidate();
    } else if (lists.length > 0) {
      const cards = await utils.client.requests.cards.query({ ids }).catch(() => null);
      if (cards) {
        const changed = new Map<number, RequestCard | null>(ids.map((id) => [id, null]));
        for (const card of cards) changed.set(card.id, card);
        const me = userName.toLowerCase();
        for (const [key, list] of lists) {
          if (!list) continue;
          const mine = (key[1] as { input?: { mine?: boolean } } | undefined)?.input?.mine === true;
          const next = mergeIntoList(list, changed, (c) => !mine || c.requestedBy?.toLowerCase() === me);
          if (next !== list) queryClient.setQueryData(key as QueryKey, next);
        }
      } else {
        await utils.requests.list.invalidate();
      }
    }
    // Progress ticks of a downloading request concern neither the history nor the stuck list.
    const stuckShown = new Set(
      queryClient.getQueriesData<{ id: number }[]>({ queryKey: stuckKey }).flatMap(([, rows]) => (rows ?? []).map((r) => r.id)),
    );
    const historyShown = new Set(
      queryClient
        .getQueriesData<{ pages: { items: { id: number }[] }[] }>({ queryKey: historyKey })
        .flatMap(([, data]) => (data?.pages ?? []).flatMap((p) => p.items.map((i) => i.id))),
    );
    const touchesHistory = changes.some((c) => !c.request || HISTORY_STATES.has(c.request.state) || historyShown.has(c.requestId));
    const touchesStuck = changes.some((c) => !c.request || PROBLEM_STATES.has(c.request.state) || c.request.stuckReason !== null || stuckShown.has(c.requestId));
    await Promise.all([
      ...ids.map((id) => utils.requests.detail.invalidate({ id })),
      touchesHistory ? utils.requests.history.invalidate() : null,
      touchesStuck ? utils.admin.stuck.invalidate() : null,
    ]);
  }, [queryClient, utils, userName]);

  const subscription = trpc.requests.onChange.useSubscription(input, {
    onData(event) {
      lastSeen.current = event.id;
      pending.current.set(event.data.requestId, event.data);
      timer.current ??= setTimeout(() => void flush(), BATCH_MS);
    },
    onError(err) {
      if (err.data?.code === "UNAUTHORIZED") {
        const next = window.location.pathname + window.location.search;
        window.location.assign(`/login?next=${encodeURIComponent(next)}`);
      }
    },
  });

  const { status, reset } = subscription;
  useEffect(() => {
    if (status === "pending") {
      everLive.current = true;
      setLiveStatus("live");
    } else if (status === "connecting" || status === "idle") {
      setLiveStatus(everLive.current ? "reconnecting" : "connecting");
    } else {
      setLiveStatus("offline");
      const retry = setTimeout(() => {
        if (lastSeen.current === input.lastEventId) reset();
        else setInput({ lastEventId: lastSeen.current });
      }, RETRY_AFTER_ERROR_MS);
      return () => clearTimeout(retry);
    }
  }, [status, reset, input]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      setLiveStatus("off");
    },
    [],
  );

  return null;
}
