import { isValidName, nameFromClaims, NAME_RULES } from "../../contract/names.ts";
import { DEFAULT_ROOM } from "../../contract/routes.ts";
import { ChatClient } from "./chat-client.ts";
import { fetchServedConfig, resolvePageConfig, type PageConfig } from "./config.ts";
import { ReconnectingSocket } from "./connection.ts";
import { SessionStore, type SavedSession } from "./session.ts";
import { connectionUrl, fetchDevToken, readClaims, refusalHint, SignInError } from "./sign-in.ts";
import { ChatView, type SignInRequest } from "./view.ts";

/** The page: reads its configuration, restores the tab's session or asks for a sign-in, and wires socket, chat and view. */

/**
 * After this many refused handshakes in a row, say why that may be. Not at
 * the first: a server that is restarting refuses one or two as well.
 */
const REFUSAL_HINT_AFTER = 3;

async function start(): Promise<void> {
  const location = new URL(window.location.href);
  const config = await resolvePageConfig(location, fetchServedConfig);
  if (location.searchParams.has("token")) {
    // Keep the token out of the address bar, the history and anything copied from it; the session keeps it.
    location.searchParams.delete("token");
    window.history.replaceState(null, "", location);
  }
  const store = new SessionStore(window.sessionStorage);
  let socket: ReconnectingSocket | undefined;

  const view = new ChatView(document, {
    signIn: (request) => void signIn(request),
    signOut: () => {
      socket?.stop();
      socket = undefined;
      store.clear();
      view.showSignIn(config.signIn, config.webSocketUrl === undefined);
    },
  });

  async function signIn(request: SignInRequest): Promise<void> {
    try {
      const session = await checkSignIn(config, request);
      store.save(session);
      connect(session);
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      view.showSignIn(config.signIn, config.webSocketUrl === undefined, error.message, request.name);
    }
  }

  function connect(session: SavedSession): void {
    const webSocketUrl = config.webSocketUrl ?? session.webSocketUrl!;
    const anonymous = config.signIn.kind === "anonymous";
    const current = (): SavedSession => store.load() ?? session;
    let hinted = false;
    const chat = new ChatClient({
      me: session.displayName ?? session.name,
      ...(session.userId === undefined ? {} : { userId: session.userId }),
      idPerConnection: anonymous,
      rooms: session.rooms,
      activeRoom: session.activeRoom,
      send: (action) => socket?.send(action) ?? false,
      changed: (change) => view.render(change),
      notify: (notice) => view.notify(notice),
      roomsChanged: (rooms, activeRoom) => store.save({ ...current(), rooms, activeRoom }),
      // Signed in, the server binds a new name to the user and gives it to their next connection; without an authorizer, the next connection asks for it.
      identityChanged: (name, userId) => store.save({ ...current(), displayName: name, ...(userId === undefined ? {} : { userId }), ...(anonymous ? { name } : {}) }),
      returned: (draft) => view.giveBack(draft),
      ...(config.maxMessageBytes === undefined ? {} : { maxMessageBytes: config.maxMessageBytes }),
    });
    socket = new ReconnectingSocket({
      url: () => connectionUrl(webSocketUrl, config.signIn, current().name, session.token)(),
      backoff: config.backoff,
      pingIntervalMs: config.pingIntervalMs,
      onOpen: () => chat.connected(),
      onFrame: (text) => chat.receive(text),
      onStatus: (status, detail) => {
        view.showStatus(status, detail);
        if (status === "reconnecting") chat.disconnected();
        if (status === "reconnecting" && (detail.refusals ?? 0) >= REFUSAL_HINT_AFTER && !hinted) {
          hinted = true;
          view.notify({ kind: "error", text: refusalHint(config, session.token, chat.me) });
        }
        if (status === "connected") {
          if (hinted) view.notify({ kind: "info", text: "Connected again." });
          hinted = false;
        }
      },
    });
    view.showChat(chat);
    socket.start();
  }

  // Back online: no need to wait out the backoff.
  window.addEventListener("online", () => socket?.retryNow());

  const saved = store.load();
  if (saved !== undefined && (config.webSocketUrl !== undefined || saved.webSocketUrl !== undefined)) connect(saved);
  else if (config.signIn.kind === "token" && config.signIn.token !== undefined && config.webSocketUrl !== undefined) await signIn({ name: "" });
  else view.showSignIn(config.signIn, config.webSocketUrl === undefined);
}

/** Validates the form and decides the session: the name, and for pasted tokens the name the token carries. */
async function checkSignIn(config: PageConfig, request: SignInRequest): Promise<SavedSession> {
  const webSocketUrl = config.webSocketUrl ?? request.webSocketUrl;
  if (webSocketUrl === undefined || !/^wss?:\/\/./.test(webSocketUrl)) throw new SignInError("Enter the API's WebSocket URL (wss://…/<stage>).");
  const base = { rooms: [DEFAULT_ROOM], activeRoom: DEFAULT_ROOM, webSocketUrl: config.webSocketUrl === undefined ? webSocketUrl : undefined };
  switch (config.signIn.kind) {
    case "dev": {
      if (!isValidName(request.name)) throw new SignInError(`Names are ${NAME_RULES}.`);
      // Asked now so a refused name shows in the form; each connection attempt asks again.
      const { userName } = await fetchDevToken(config.signIn.issuer, request.name);
      return { ...base, name: userName };
    }
    case "anonymous":
      if (!isValidName(request.name)) throw new SignInError(`Names are ${NAME_RULES}.`);
      return { ...base, name: request.name };
    case "token": {
      const token = config.signIn.token ?? request.token ?? "";
      // A guess for the form only: the authorizer's name_claims decide, and the first answer from the chat says the real name.
      const claims = readClaims(token);
      return { ...base, name: nameFromClaims(claims, ["cognito:username", "preferred_username"], typeof claims["sub"] === "string" ? claims["sub"] : ""), token };
    }
  }
}

start().catch((error: unknown) => {
  console.error(error);
  const status = document.getElementById("status");
  if (status !== null) status.textContent = "The page failed to start; see the browser console.";
});
