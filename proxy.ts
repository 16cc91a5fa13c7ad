import { NextResponse, type NextRequest } from "next/server";

// An optimistic redirect only, so an anonymous visitor lands on sign-in with the page
// they asked for remembered. Pages, actions and routes still check the session themselves.
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/signin";
  url.search = "";
  const asked = request.nextUrl.pathname + request.nextUrl.search;
  if (asked !== "/") url.searchParams.set("callbackUrl", asked);
  return NextResponse.redirect(url);
}

export const config = {
  // Everything but sign-in, the auth and health endpoints, the token-authenticated API and static files.
  matcher: ["/((?!signin|api/auth|api/health|api/|crm/|_next/|favicon.ico).*)"],
};
