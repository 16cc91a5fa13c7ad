import { db } from "./db";

export type Health = { status: "ok" } | { status: "unavailable"; reason: string };

/** Answers without a session: used by load balancers and the start script. */
export async function checkHealth(): Promise<Health> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return { status: "ok" };
  } catch (err) {
    console.error("[health] portal store unreachable", err);
    return { status: "unavailable", reason: "The portal store (database) cannot be reached." };
  }
}
