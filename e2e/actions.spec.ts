import { expect, test, type Page } from "@playwright/test";
import { shot, signIn, startScenario } from "./helpers";

/** Opens a request's detail page from its dashboard card once the card is in `state`. */
async function openFromDashboard(page: Page, title: string, state: string): Promise<void> {
  await page.goto("/");
  const card = page.getByTestId("request-card").filter({ hasText: title });
  await expect(card).toHaveAttribute("data-state", state, { timeout: 80_000 });
  await card.getByTestId("request-title").click();
  await expect(page.getByTestId("request-detail")).toBeVisible();
}

test("retrying a stalled download replaces it and the film becomes available", async ({ page }) => {
  await signIn(page, "admin");
  const title = await startScenario(page, "fault-stalled");
  await page.goto("/admin");
  const item = page.getByTestId("stuck-item").filter({ hasText: title });
  await expect(item.getByTestId("stuck-reason")).toContainText(/stalled/i, { timeout: 80_000 });
  await item.getByRole("link").first().click();

  const detail = page.getByTestId("request-detail");
  await expect(detail).toBeVisible();
  const retry = page.getByTestId("action-retry");
  await expect(retry).toHaveText("Replace download");
  await retry.click();
  // Pending: both buttons wait for the answer.
  const outcome = page.getByTestId("action-outcome");
  await expect(outcome).toHaveAttribute("data-ok", "true", { timeout: 30_000 });
  await expect(outcome).toHaveAttribute("data-stage", "download");
  await expect(page.getByTestId("action-step").first()).toBeVisible();
  await shot(page, "detail-retry-outcome");
  // A second press is harmless: answered with the first outcome, nothing sent again.
  await retry.click();
  await expect(outcome).toHaveAttribute("data-ok", "true");

  // Radarr grabs the alternative release after the blocklist; the live feed brings it here.
  await expect(detail).toHaveAttribute("data-state", "available", { timeout: 80_000 });
  await expect(page.getByTestId("stage-label").first()).toHaveAttribute("data-state", "available");
});

test("delete everywhere removes a film from every service and is in the deletions log", async ({ page }) => {
  await signIn(page, "admin");
  const title = await startScenario(page, "movie");
  await openFromDashboard(page, title, "available");

  await page.getByTestId("action-delete").click();
  const confirm = page.getByTestId("delete-confirm");
  await expect(confirm).toContainText("Radarr");
  await expect(confirm).toContainText("qBittorrent");
  await expect(confirm).toContainText("Jellyseerr");
  await shot(page, "detail-delete-confirm");
  await page.getByTestId("action-delete-confirm").click();

  const deletion = page.getByTestId("deletion");
  await expect(deletion).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(page.getByTestId("action-outcome")).toHaveAttribute("data-ok", "true");
  const steps = page.getByTestId("deletion-step");
  await expect(steps).toHaveCount(5);
  for (const step of ["qbittorrent", "radarr", "jellyfin", "jellyseerr"]) {
    await expect(page.locator(`[data-testid="deletion-step"][data-step="${step}"]`)).toHaveAttribute("data-status", "done");
  }
  // Not anime: Shoko has nothing to forget.
  await expect(page.locator('[data-testid="deletion-step"][data-step="shoko"]')).toHaveAttribute("data-status", "skipped");
  await expect(page.getByTestId("request-detail")).toHaveAttribute("data-state", "deleted", { timeout: 20_000 });
  await expect(page.getByTestId("deletion-step-retry")).toHaveCount(0);
  await shot(page, "detail-deleted");

  await page.goto("/admin");
  await page.getByTestId("deletions-link").click();
  await expect(page).toHaveURL(/\/admin\/deletions$/);
  const row = page.getByTestId("deletion-row").filter({ hasText: title });
  await expect(row).toBeVisible();
  await expect(row).toHaveAttribute("data-status", "done");
  await expect(row).toHaveAttribute("data-source", "admin");
  await expect(row).toContainText("admin");
  await shot(page, "deletions");
});

test("library sync runs from the admin page and shows its progress", async ({ page }) => {
  await signIn(page, "admin", "/admin");
  await page.goto("/admin");
  await page.getByTestId("library-sync-start").click();
  const status = page.getByTestId("library-sync-status");
  await expect(status).toHaveAttribute("data-phase", /^(done|failed)$/, { timeout: 60_000 });
  await expect(status).toHaveAttribute("data-phase", "done");
  await expect(page.getByTestId("library-sync-start")).toBeEnabled();
  await shot(page, "admin-library-sync");
});

test("the household sees no actions on a detail page", async ({ page }) => {
  await signIn(page, "household");
  await page.getByTestId("request-card").first().getByTestId("request-title").click();
  await expect(page.getByTestId("request-detail")).toBeVisible();
  await expect(page.getByTestId("request-actions")).toHaveCount(0);
  await page.goto("/admin/deletions");
  await expect(page.getByTestId("admins-only")).toBeVisible();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the actions panel and the deletions log read well", async ({ page }) => {
    await signIn(page, "admin");
    await page.getByTestId("request-card").first().getByTestId("request-title").click();
    await expect(page.getByTestId("request-actions")).toBeVisible();
    await page.getByTestId("action-delete").click();
    await expect(page.getByTestId("delete-confirm")).toBeVisible();
    await shot(page, "phone-detail-actions");
    await page.goto("/admin/deletions");
    await expect(page.getByTestId("deletion-row").first()).toBeVisible();
    await shot(page, "phone-deletions");
  });
});
