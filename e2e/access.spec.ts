import { expect, test } from "@playwright/test";
import { shot, signIn } from "./helpers";

test("a signed-out visitor is sent to /login", async ({ page }) => {
  for (const path of ["/", "/history", "/admin", "/requests/1"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
  await expect(page.getByTestId("login-form")).toBeVisible();
  await shot(page, "login");
});

test("wrong credentials get a clear message", async ({ page }) => {
  await page.goto("/login");
  const form = page.getByTestId("login-form");
  await form.locator('input[name="username"]').fill("household");
  await form.locator('input[name="password"]').fill("not-the-password");
  await form.locator('button[type="submit"]').click();
  await expect(page.getByText(/wrong|incorrect|not accepted|invalid/i).first()).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});

test("the household member signs in and sees the dashboard, but not the admin page", async ({ page }) => {
  await signIn(page, "household");
  await expect(page.getByTestId("request-card").first()).toBeVisible();
  await shot(page, "dashboard-household");
  await page.goto("/admin");
  await expect(page.getByTestId("admins-only")).toBeVisible();
  await expect(page.getByTestId("integrations-table")).toHaveCount(0);
  // The server refuses the admin procedure itself, not only the page.
  const res = await page.request.get("/api/trpc/admin.integrations");
  expect(res.status()).toBe(403);
  const demo = await page.request.post("/api/trpc/demo.start", { data: { scenario: "movie" } });
  expect(demo.status()).toBe(403);
});

test("the admin signs in and sees integrations and the webhook setup", async ({ page }) => {
  await signIn(page, "admin", "/admin");
  await expect(page.getByTestId("integration-row").first()).toBeVisible();
  await expect(page.getByTestId("webhook-url").first()).toContainText("/api/hooks/");
  await shot(page, "admin");
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "household");
  await page.getByRole("button", { name: /sign out/i }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});
