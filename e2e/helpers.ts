import { mkdirSync } from "node:fs";
import { expect, type Page } from "@playwright/test";

export const USERS = {
  admin: { username: "admin", password: "admin-demo-password" },
  household: { username: "household", password: "household-demo-password" },
} as const;

export async function signIn(page: Page, who: keyof typeof USERS, next = "/"): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  const form = page.getByTestId("login-form");
  await form.locator('input[name="username"]').fill(USERS[who].username);
  await form.locator('input[name="password"]').fill(USERS[who].password);
  await form.locator('button[type="submit"]').click();
  await expect(page.getByTestId("user-name")).toHaveText(USERS[who].username);
}

/** Saves a screenshot under e2e/screenshots/ (git-ignored) for a person to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync("e2e/screenshots", { recursive: true });
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

/** Starts a demo scenario from the admin page and answers the title it requested. */
export async function startScenario(page: Page, scenario: string): Promise<string> {
  await page.goto("/admin");
  await page.getByTestId("demo-scenario").selectOption(scenario);
  await page.getByTestId("demo-start").click();
  const started = page.getByTestId("demo-started");
  await expect(started).toBeVisible();
  const title = await started.getAttribute("data-title");
  if (!title) throw new Error("no title came back");
  return title;
}
