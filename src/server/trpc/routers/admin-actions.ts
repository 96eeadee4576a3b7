import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { isActionError } from "../../actions";
import { adminProcedure, router, type SessionUser } from "../init";

/*
 * The admin's actions as tRPC procedures (spread into the admin router): retry a stage, verify
 * now, delete everywhere (and retry a failed step), the deletions audit log, library sync. Each
 * answers with the true outcome as data a page can show; a refusal is a tRPC error whose message
 * is a sentence for the admin.
 */

const requestInput = z.object({ id: z.number().int().positive() });
const deletionStep = z.enum(["qbittorrent", "radarr", "sonarr", "shoko", "jellyfin", "jellyseerr"]);

/** ActionError -> the tRPC code it names; anything else stays an internal error. */
async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isActionError(err)) throw new TRPCError({ code: err.code, message: err.message });
    throw err;
  }
}

const actor = (user: SessionUser) => ({ id: user.id, name: user.name });

export const adminActionProcedures = {
  /** Retries the request's stage for real (search, replace a stalled download, rescan, rematch, verify). */
  retry: adminProcedure.input(requestInput).mutation(({ ctx, input }) => refusing(() => ctx.container.actions.retry.retry(input.id, actor(ctx.user)))),

  /** Checks Jellyfin and the arr and moves the request to what they say, from any state. */
  verify: adminProcedure.input(requestInput).mutation(({ ctx, input }) => refusing(() => ctx.container.actions.verify.verify(input.id, actor(ctx.user)))),

  /** Deletes the request everywhere (qBittorrent, Radarr/Sonarr, Shoko, Jellyfin, Jellyseerr), step by step. */
  delete: adminProcedure.input(requestInput).mutation(({ ctx, input }) => refusing(() => ctx.container.actions.deletions.start(input.id, actor(ctx.user)))),

  /** Runs a failed deletion step again and carries on with the steps after it. */
  retryDeletionStep: adminProcedure
    .input(z.object({ deletionId: z.number().int().positive(), step: deletionStep }))
    .mutation(({ ctx, input }) => refusing(() => ctx.container.actions.deletions.retryStep(input.deletionId, input.step, actor(ctx.user)))),

  /** One deletion job with its steps (poll it while it runs). */
  deletion: adminProcedure
    .input(z.object({ deletionId: z.number().int().positive() }))
    .query(({ ctx, input }) => refusing(() => ctx.container.actions.deletions.get(input.deletionId))),

  /** The deletions audit log, newest first; `cursor` is the previous page's nextCursor. */
  deletions: adminProcedure
    .input(
      z
        .object({
          cursor: z.number().int().positive().nullish(),
          limit: z.number().int().min(1).max(100).optional(),
          requestId: z.number().int().positive().optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => ctx.container.actions.deletions.list(input ?? {})),

  librarySync: router({
    /** Starts a library sync (or returns the one running). */
    start: adminProcedure.mutation(({ ctx }) => ctx.container.actions.librarySync.start(actor(ctx.user))),
    /** The running (or last) sync's progress. */
    status: adminProcedure.query(({ ctx }) => ctx.container.actions.librarySync.status()),
  }),
};
