import { clientIp } from "./client-ip";

/**
 * The client's address of the request being served, read through next/headers (for code that is
 * not handed the Request: server actions, NextAuth callbacks). Null outside a request (tests that
 * call actions directly) or when the request does not say.
 */
export async function requestIp(): Promise<string | null> {
  try {
    const { headers } = await import("next/headers");
    return clientIp(await headers());
  } catch {
    return null;
  }
}
