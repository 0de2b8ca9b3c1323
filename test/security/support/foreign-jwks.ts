import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";

/**
 * A JWKS served over plain HTTP on a host that is not loopback: what an
 * attacker on the network path between the authorizer and an `http://`
 * JWKS URL could answer. It counts the requests it gets, so a test can say
 * that nothing was fetched.
 */
export interface ForeignJwks {
  readonly url: string;
  readonly requests: number;
  close(): Promise<void>;
}

/** This machine's first non-internal IPv4 address, or undefined when it has none. */
export function nonLoopbackAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === "IPv4" && !address.internal) return address.address;
  }
  return undefined;
}

export async function serveJwksAt(host: string, jwks: unknown): Promise<ForeignJwks> {
  let requests = 0;
  const body = JSON.stringify(jwks);
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    get requests() {
      return requests;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
