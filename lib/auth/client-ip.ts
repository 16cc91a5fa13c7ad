// Which address a sign-in comes from, for the per-IP throttle.
//
// Next.js does not hand route handlers the socket's address; `next start` only copies it into
// `x-forwarded-for` when the client sent none, so that header alone is whatever the client says.
// scripts/peer-address.mjs (loaded into the web server by `npm start`) therefore writes the socket
// address into PEER_ADDRESS_HEADER on every request, replacing any value the client sent.
// `x-forwarded-for` is read only when TRUST_PROXY says a proxy in front of the portal sets it.

export const PEER_ADDRESS_HEADER = "x-dx-peer-address";

type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** How many proxies in front of the portal append to `x-forwarded-for`: 0 (default) ignores it. */
export function trustedProxyHops(value = process.env.TRUST_PROXY): number {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "false" || v === "0" || v === "off" || v === "no") return 0;
  if (v === "true" || v === "on" || v === "yes") return 1;
  const n = Number(v);
  if (Number.isInteger(n) && n > 0) return n;
  throw new Error(`TRUST_PROXY must be true, false or the number of proxies in front of the portal, got "${value}"`);
}

/** The client's address, or null when the request does not say (then only the per-account throttle applies). */
export function clientIp(headers: HeaderBag, trustProxy = process.env.TRUST_PROXY): string | null {
  const hops = trustedProxyHops(trustProxy);
  if (hops > 0) {
    // Each trusted proxy appends the address it was connected from: the client is `hops` entries
    // from the right. Entries further left came from the client and prove nothing.
    const chain = (header(headers, "x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const ip = chain[Math.max(0, chain.length - hops)];
    if (ip) return normalize(ip);
  }
  const peer = header(headers, PEER_ADDRESS_HEADER)?.trim();
  return peer ? normalize(peer) : null;
}

// "::ffff:10.0.0.1" and "10.0.0.1" are one client.
function normalize(ip: string): string {
  return ip.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
}

/**
 * Whether the browser reached the portal over HTTPS: NEXTAUTH_URL is https, or — only with
 * TRUST_PROXY — the proxy's `x-forwarded-proto` says so (read like `x-forwarded-for`: the entry
 * `hops` from the right; entries further left came from the client). Session cookies are then
 * marked Secure.
 */
export function servedOverHttps(headers: HeaderBag, env: { NEXTAUTH_URL?: string; TRUST_PROXY?: string } = process.env): boolean {
  if ((env.NEXTAUTH_URL ?? "").trim().toLowerCase().startsWith("https://")) return true;
  const hops = trustedProxyHops(env.TRUST_PROXY);
  if (hops === 0) return false;
  const chain = (header(headers, "x-forwarded-proto") ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
  return chain[Math.max(0, chain.length - hops)] === "https";
}
