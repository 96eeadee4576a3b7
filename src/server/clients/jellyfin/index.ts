export * from "./client";
export { jellyfinSignIn } from "./sign-in";
