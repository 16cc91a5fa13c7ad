// Local receivers for alert tests (Vitest and Playwright): an HTTP server that records webhook
// posts, and an SMTP server (smtp-server) that records the mail it accepts. Both on 127.0.0.1 and
// an ephemeral port, started and closed by the test. Not part of the product.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedPost {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface WebhookReceiver {
  url: (path?: string) => string;
  posts: ReceivedPost[];
  /** What the next requests are answered with (default 200 "ok"); a "hang" answers never. */
  respond: (r: { status: number; body?: string } | "hang") => void;
  waitForPosts: (n: number, timeoutMs?: number) => Promise<ReceivedPost[]>;
  close: () => Promise<void>;
}

function waiter<T>(items: T[]) {
  const pending: { n: number; resolve: (v: T[]) => void }[] = [];
  return {
    push(item: T) {
      items.push(item);
      for (const p of [...pending]) if (items.length >= p.n) (pending.splice(pending.indexOf(p), 1), p.resolve(items));
    },
    wait(n: number, timeoutMs = 15_000): Promise<T[]> {
      if (items.length >= n) return Promise.resolve(items);
      return new Promise((resolve, reject) => {
        const entry = { n, resolve: (v: T[]) => (clearTimeout(t), resolve(v)) };
        const t = setTimeout(() => {
          pending.splice(pending.indexOf(entry), 1);
          reject(new Error(`expected ${n} item(s), got ${items.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.push(entry);
      });
    },
  };
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const w = waiter(posts);
  let answer: { status: number; body?: string } | "hang" = { status: 200, body: "ok" };
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      w.push({ path: req.url ?? "/", headers: req.headers, body });
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, { "content-type": "text/plain" });
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = "/hook") => `http://127.0.0.1:${port}${path}`,
    posts,
    respond: (r) => void (answer = r),
    waitForPosts: (n, t) => w.wait(n, t),
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The body, quoted-printable decoded. */
  text: string;
}

/** Headers and body of a simple (single-part) message, as nodemailer writes alert mail. */
export function parseMail(raw: string): { subject: string; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  let body = split < 0 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, "mi").exec(unfolded)?.[1]?.trim() ?? "";
  if (/quoted-printable/i.test(header("Content-Transfer-Encoding"))) {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    body = Buffer.from(bytes, "latin1").toString("utf8");
  }
  return { subject: header("Subject"), text: body.replace(/\r\n/g, "\n") };
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  waitForMails: (n: number, timeoutMs?: number) => Promise<ReceivedMail[]>;
  close: () => Promise<void>;
}

/** Plain SMTP (no TLS); with `auth`, only that user and password are accepted. */
export async function startSmtpReceiver(o: { auth?: { user: string; pass: string } } = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const w = waiter(mails);
  const server = new SMTPServer({
    secure: false,
    disabledCommands: o.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !o.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) return cb(null, { user: auth.username });
      return cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        w.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          ...parseMail(raw),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    waitForMails: (n, t) => w.wait(n, t),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
