// A TCP proxy in front of the target database that the chaos run controls: cut every open
// connection, refuse new ones for a while, delay traffic. Written by hand (a few dozen lines of
// `net`): the maintained proxies (toxiproxy & co.) are separate servers to install and drive.
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** Destroys every open connection (both sides), as a network failure or failover would. */
  cutAll(): number;
  /** While on, new connections are accepted and reset at once (the target "refuses"). */
  refuse(on: boolean): void;
  /** Delays every chunk, both ways, by `ms` (0 = off). Order is kept. */
  delay(ms: number): void;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let refusing = false;
  let delayMs = 0;
  let accepted = 0;

  // Chunks are due at max(now + delay, previous due) so a change of delay never reorders them.
  const forward = (from: net.Socket, to: net.Socket) => {
    let lastDue = 0;
    from.on("data", (chunk) => {
      if (delayMs <= 0 && lastDue <= Date.now()) {
        to.write(chunk);
        return;
      }
      const due = Math.max(Date.now() + delayMs, lastDue);
      lastDue = due;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, due - Date.now());
    });
  };

  const server = net.createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    accepted++;
    const upstream = net.connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cutAll() {
      const n = open.size / 2;
      for (const s of [...open]) s.resetAndDestroy();
      open.clear();
      return n;
    },
    refuse(on) {
      refusing = on;
    },
    delay(ms) {
      delayMs = Math.max(0, ms);
    },
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
