"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/next-auth";

export interface LoginState {
  error: string | null;
}

const MESSAGES: Record<string, string> = {
  invalid: "Wrong username or password.",
  throttled: "Too many failed attempts. Wait a moment and try again.",
  unavailable: "Jellyfin did not answer, so your password could not be checked. Try again shortly.",
};

/** Signs in with the form's credentials; on success Auth.js redirects (a thrown redirect). */
export async function signInAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  const next = String(form.get("next") ?? "/");
  try {
    await signIn("credentials", {
      username: form.get("username"),
      password: form.get("password"),
      // Only same-site paths: never an open redirect.
      redirectTo: next.startsWith("/") && !next.startsWith("//") ? next : "/",
    });
    return { error: null };
  } catch (err) {
    if (err instanceof AuthError) {
      const code = (err as AuthError & { code?: string }).code ?? "invalid";
      return { error: MESSAGES[code] ?? MESSAGES.invalid };
    }
    throw err;
  }
}
