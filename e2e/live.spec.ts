import { expect, test } from "@playwright/test";
import { shot, signIn, startScenario } from "./helpers";

test("a film goes from requested to available live, without a reload", async ({ page }) => {
  await signIn(page, "admin");
  const title = await startScenario(page, "movie");
  await page.goto("/");
  const card = page.getByTestId("request-card").filter({ hasText: title });
  await expect(card).toBeVisible();
  // Marks the page: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const seen = new Set<string>();
  const state = async () => (await card.getAttribute("data-state").catch(() => null)) ?? "";
  for (let i = 0; i < 240; i++) {
    const s = await state();
    if (s) seen.add(s);
    if (s === "downloading" && !seen.has("shot")) {
      seen.add("shot");
      await shot(page, "dashboard-downloading");
    }
    if (s === "available") break;
    await page.waitForTimeout(250);
  }
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  expect([...seen]).toContain("available");
  expect([...seen].filter((s) => s !== "shot").length).toBeGreaterThan(1);
});

test("a season pack shows per-episode progress", async ({ page }) => {
  await signIn(page, "admin");
  const title = await startScenario(page, "tv-season-pack");
  await page.goto("/");
  const card = page.getByTestId("request-card").filter({ hasText: title });
  await expect(card).toBeVisible();
  // The pack's size depends on which series the demo picked: the toggle names it.
  const toggle = card.getByTestId("episodes-toggle");
  await expect(toggle).toHaveText(/Show ([2-9]|\d{2,}) episodes/);
  const episodes = Number(/Show (\d+) episodes/.exec((await toggle.textContent()) ?? "")?.[1]);
  expect(episodes).toBeGreaterThan(1);
  await toggle.click();
  const list = card.getByTestId("episode-list");
  await expect(list).toBeVisible();
  await expect(list.getByTestId("episode-row")).toHaveCount(episodes);
  // While the pack downloads, episodes show their own percentages.
  await expect(list.getByTestId("episode-percent").first()).toBeVisible({ timeout: 60_000 });
  await shot(page, "season-pack-episodes");
  await expect(card).toHaveAttribute("data-state", "available", { timeout: 80_000 });
});

test("a stuck request is on the admin page with its reason", async ({ page }) => {
  await signIn(page, "admin");
  const title = await startScenario(page, "fault-stalled");
  await page.goto("/admin");
  const item = page.getByTestId("stuck-item").filter({ hasText: title });
  await expect(item).toBeVisible({ timeout: 80_000 });
  await expect(item.getByTestId("stuck-reason")).toContainText(/stalled/i);
  await shot(page, "admin-stuck");
  await item.getByRole("link").first().click();
  await expect(page.getByTestId("timeline")).toBeVisible();
  await shot(page, "detail-stuck");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("the dashboard and a detail page read well", async ({ page }) => {
    await signIn(page, "household");
    await expect(page.getByTestId("request-card").first()).toBeVisible();
    await shot(page, "phone-dashboard");
    await page.getByTestId("request-card").first().getByRole("link").first().click();
    await expect(page.getByTestId("timeline")).toBeVisible();
    await shot(page, "phone-detail");
    await page.goto("/history");
    await shot(page, "phone-history");
  });
});
