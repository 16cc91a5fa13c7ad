import { describe, expect, it } from "vitest";
import { clientIp, PEER_ADDRESS_HEADER, trustedProxyHops } from "./client-ip";

describe("clientIp", () => {
  const h = (xff?: string, peer?: string) => new Headers({ ...(xff ? { "x-forwarded-for": xff } : {}), ...(peer ? { [PEER_ADDRESS_HEADER]: peer } : {}) });

  it("ignores x-forwarded-for unless TRUST_PROXY is on (a client can write anything there)", () => {
    expect(clientIp(h("1.2.3.4", "10.0.0.5"), undefined)).toBe("10.0.0.5");
    expect(clientIp(h("1.2.3.4", "10.0.0.5"), "false")).toBe("10.0.0.5");
    expect(clientIp(h("1.2.3.4"), undefined)).toBeNull();
  });

  it("behind trusted proxies takes the address the outermost trusted proxy saw", () => {
    // The client sent "6.6.6.6"; the one proxy appended the real peer.
    expect(clientIp(h("6.6.6.6, 203.0.113.9", "10.0.0.5"), "true")).toBe("203.0.113.9");
    expect(clientIp(h("6.6.6.6, 203.0.113.9, 10.1.1.1", "10.0.0.5"), "2")).toBe("203.0.113.9");
    expect(clientIp({ "x-forwarded-for": "203.0.113.9" }, "1")).toBe("203.0.113.9");
    expect(clientIp(h(undefined, "10.0.0.5"), "1")).toBe("10.0.0.5");
  });

  it("treats an IPv4-mapped IPv6 address as the IPv4 one", () => {
    expect(clientIp(h(undefined, "::ffff:10.0.0.5"), undefined)).toBe("10.0.0.5");
  });

  it("refuses a TRUST_PROXY it does not understand", () => {
    expect(() => trustedProxyHops("maybe")).toThrow(/TRUST_PROXY/);
    expect(trustedProxyHops("3")).toBe(3);
  });
});
