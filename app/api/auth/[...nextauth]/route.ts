import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/options";
import { errorResponse, readBodyText } from "@/lib/http/route-result";

export const dynamic = "force-dynamic";

/** Sign-in forms are a few hundred bytes; NextAuth itself would read any body whole. */
const MAX_AUTH_BODY_BYTES = 64 * 1024;

async function handler(req: NextRequest, ctx: { params: Promise<{ nextauth: string[] }> }) {
  if (req.method === "POST") {
    try {
      const body = await readBodyText(req, MAX_AUTH_BODY_BYTES);
      req = new NextRequest(req.url, { method: "POST", headers: req.headers, body });
    } catch (err) {
      return errorResponse(err, "POST /api/auth");
    }
  }
  return NextAuth(authOptions(req.headers))(req, ctx);
}

export { handler as GET, handler as POST };
