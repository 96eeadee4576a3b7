import { describe, expect, it } from "vitest";
import { ManualClock } from "@/server/clock";
import { createLogger } from "@/server/logger";
import { SignInService } from "@/server/auth/sign-in";

const make = (jellyfin?: (u: string, p: string) => Promise<{ id: string; name: string; role: "admin" | "member" } | null>) => {
  const clock = new ManualClock(0);
  return { clock, svc: new SignInService({ clock, logger: createLogger({ write: () => undefined }), admin: { username: "admin", password: "correct horse" }, jellyfin }) };
};

describe("sign-in", () => {
  it("accepts the local admin and refuses a wrong password", async () => {
    const { svc } = make();
    expect(await svc.verify("admin", "correct horse")).toEqual({ ok: true, user: { id: "local:admin", name: "admin", role: "admin" } });
    expect(await svc.verify("admin", "wrong")).toEqual({ ok: false, reason: "invalid" });
  });

  it("signs in Jellyfin users with their role", async () => {
    const { svc } = make(async (u, p) => (u === "mira" && p === "pw" ? { id: "jellyfin:1", name: "mira", role: "member" } : null));
    expect(await svc.verify("mira", "pw")).toMatchObject({ ok: true, user: { role: "member" } });
    expect(await svc.verify("mira", "nope")).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("says Jellyfin is unavailable rather than that the password is wrong", async () => {
    const { svc } = make(async () => {
      throw new Error("Jellyfin is unreachable");
    });
    expect(await svc.verify("mira", "pw")).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("slows down repeated failures, then lets the right password through once the wait is over", async () => {
    const { svc, clock } = make();
    for (let i = 0; i < 6; i++) expect((await svc.verify("admin", "guess")).ok).toBe(false);
    const throttled = await svc.verify("admin", "correct horse");
    expect(throttled).toMatchObject({ ok: false, reason: "throttled" });
    clock.advance(2000);
    expect((await svc.verify("admin", "correct horse")).ok).toBe(true);
  });
});
