// Security headers on every kind of response (issue 15): pages, portal JSON, the REST API and its
// OpenAPI document, health — and an over-large body is refused before it is parsed.
import { expect, test } from "@playwright/test";
import { ANONYMOUS } from "./support/env";

test("every response carries the security headers", async ({ request, browser }) => {
  const visitor = await browser.newContext({ storageState: ANONYMOUS });
  for (const [ctx, path] of [[visitor.request, "/signin"], [request, "/"], [request, "/profiles"], [request, "/api/portal/profiles"], [visitor.request, "/api/health"], [visitor.request, "/crm/exporter/swagger.json"], [visitor.request, "/crm/exporter/profiles"]] as const) {
    const res = await ctx.get(path, { maxRedirects: 0 });
    const h = res.headers();
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"], path).toContain("default-src 'self'");
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
  }
  await visitor.close();
});

test("a body over the limit is refused with 413 before it is parsed", async ({ request }) => {
  const big = JSON.stringify({ email: "x@e2e.test", name: "y".repeat(2 * 1024 * 1024) });
  const res = await request.post("/api/users", { data: big, headers: { "Content-Type": "application/json" } });
  expect(res.status()).toBe(413);
  expect((await res.json()).error.code).toBe("PayloadTooLarge");
  const signin = await request.post("/api/auth/callback/credentials", { form: { email: "a@b.c", password: "p".repeat(100 * 1024) } });
  expect(signin.status()).toBe(413);
});
