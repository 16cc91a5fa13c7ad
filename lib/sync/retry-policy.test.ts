import { describe, expect, it } from "vitest";
import {
  AuthenticationError, ChangeTrackingNotEnabledError, DataverseUnavailableError, DeltaTokenExpiredError, NotFoundError, ThrottledError,
} from "../dataverse/errors";
import { RecordValueError } from "../destinations/row-values";
import { prefetchOne } from "./prefetch";
import { backoffDelayMs, classifyError } from "./retry-policy";

describe("error classification (the one place)", () => {
  it("sorts source errors", () => {
    expect(classifyError(new DeltaTokenExpiredError("account"))).toBe("token-expired");
    expect(classifyError(new ChangeTrackingNotEnabledError("activitypointer"))).toBe("table");
    expect(classifyError(new NotFoundError("nope"))).toBe("table");
    expect(classifyError(new AuthenticationError("bad token"))).toBe("config");
    expect(classifyError(new ThrottledError("slow down", 30))).toBe("transient");
    expect(classifyError(new DataverseUnavailableError("503"))).toBe("transient");
  });

  it("sorts target errors: connection and deadlocks are transient, data problems are per record", () => {
    expect(classifyError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("transient");
    expect(classifyError(Object.assign(new Error("x"), { code: "08006" }))).toBe("transient");
    expect(classifyError(Object.assign(new Error("deadlock"), { code: "40P01" }))).toBe("transient");
    expect(classifyError(Object.assign(new Error("deadlock"), { number: 1205 }))).toBe("transient");
    expect(classifyError(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBe("transient");
    expect(classifyError(Object.assign(new Error("rejected"), { code: "P0001" }))).toBe("record");
    expect(classifyError(Object.assign(new Error("value too long"), { code: "22001" }))).toBe("record");
    expect(classifyError(Object.assign(new Error("rejected by trigger"), { code: "SQLITE_CONSTRAINT_TRIGGER" }))).toBe("record");
    expect(classifyError(new RecordValueError("id", "col", "not a GUID"))).toBe("record");
    expect(classifyError(Object.assign(new Error('relation "x" does not exist'), { code: "42P01" }))).toBe("table");
    expect(classifyError(new Error("Invalid object name 'dbo.x'."))).toBe("table");
  });

  it("backs off exponentially with jitter, longer for configuration problems, honouring Retry-After", () => {
    const mid = () => 0.5;
    expect(backoffDelayMs(new DataverseUnavailableError("x"), 1, mid)).toBe(1000);
    expect(backoffDelayMs(new DataverseUnavailableError("x"), 3, mid)).toBe(4000);
    expect(backoffDelayMs(new DataverseUnavailableError("x"), 30, mid)).toBe(60_000);
    expect(backoffDelayMs(new AuthenticationError("x"), 1, mid)).toBe(30_000);
    expect(backoffDelayMs(new ThrottledError("x", 90), 1, mid)).toBe(90_000);
    const spread = [0, 1].map((r) => backoffDelayMs(new DataverseUnavailableError("x"), 2, () => r));
    expect(spread).toEqual([1600, 2400]);
  });
});

describe("prefetchOne", () => {
  it("keeps exactly one item in flight ahead of the consumer and passes errors through in order", async () => {
    let started = 0;
    async function* src() {
      for (let i = 0; i < 4; i++) {
        started++;
        yield i;
      }
      throw new Error("boom");
    }
    const seen: [number, number][] = [];
    await expect(
      (async () => {
        for await (const v of prefetchOne(src())) {
          await new Promise((r) => setTimeout(r, 5));
          seen.push([v, started]);
        }
      })(),
    ).rejects.toThrow("boom");
    expect(seen).toEqual([[0, 2], [1, 3], [2, 4], [3, 4]]);
  });
});
