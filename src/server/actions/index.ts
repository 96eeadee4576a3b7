import type { EffectHandler } from "../pipeline/runner";
import type { JobSpec } from "../pollers/scheduler";
import type { ActionDeps } from "./common";
import { DeletionJobs } from "./deletion";
import { LibrarySync } from "./library-sync";
import { RetryActions } from "./retry";
import { VerifyAction } from "./verify";

export { ActionError, isActionError, OnceGate, type ActingUser, type ActionDeps, type ActionOutcome, type ActionStep, type EventSubmitter } from "./common";
export { RetryActions, planRetry, type RetryPlan, type RetryStage } from "./retry";
export { VerifyAction } from "./verify";
export { DeletionJobs, type DeletionPage, type DeletionStepView, type DeletionView } from "./deletion";
export { LibrarySync, type LibrarySyncPhase, type LibrarySyncStatus } from "./library-sync";
export { CommandWatch } from "./command-watch";

/** The admin's actions, built once by main and published in the container. */
export interface AdminActions {
  retry: RetryActions;
  verify: VerifyAction;
  deletions: DeletionJobs;
  librarySync: LibrarySync;
  /** Follows the arr commands a retry sent and writes their end into the timeline: register with the scheduler. */
  commandJob: JobSpec;
  /** Records deletions done in Radarr/Sonarr in the audit log: register with `runner.onEffect`. */
  handleEffect: EffectHandler;
  /** Resolves once no deletion job, external-deletion record or library sync is running. */
  idle(): Promise<void>;
}

export function createAdminActions(deps: ActionDeps): AdminActions {
  const retry = new RetryActions(deps);
  const deletions = new DeletionJobs(deps);
  const librarySync = new LibrarySync(deps);
  return {
    retry,
    verify: new VerifyAction(deps),
    deletions,
    librarySync,
    commandJob: retry.commands.job,
    handleEffect: deletions.handleEffect,
    async idle() {
      await Promise.all([deletions.idle(), librarySync.idle()]);
    },
  };
}
