// The physical limit: a bare `ws` server with the same routes and no Lambda semantics.
// `node bench/emulator/raw-server.mjs <port>`
import { WebSocketServer } from "ws";

const port = Number(process.argv[2]);
const byId = new Map();
let next = 0;
const wss = new WebSocketServer({ port, host: "127.0.0.1", perMessageDeflate: false, clientTracking: false });
wss.on("connection", (ws) => {
  const id = `c${(next += 1)}`;
  byId.set(id, ws);
  ws.on("close", () => byId.delete(id));
  ws.on("message", (data) => {
    const text = data.toString("utf8");
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return ws.send(text);
    }
    if (message.action === "whoami") return ws.send(JSON.stringify({ id }));
    if (message.action === "broadcast") {
      const payload = JSON.stringify({ from: message.from, seq: message.seq, data: message.data });
      for (const to of message.to) byId.get(to)?.send(payload);
      return;
    }
    ws.send(text);
  });
});
