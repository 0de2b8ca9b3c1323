import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_ACTIONS } from "../../contract/routes.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const protocol = readFileSync(new URL("../../functions/PROTOCOL.md", import.meta.url), "utf8");

/** The markdown table that starts with `header`, as its lines. */
function table(text: string, header: string): string[] {
  const start = text.indexOf(header);
  expect(start, `table "${header}"`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start).split("\n");
  const end = lines.findIndex((line) => !line.startsWith("|"));
  return lines.slice(0, end === -1 ? undefined : end);
}

describe("README", () => {
  it("protocol: the actions table is the one in functions/PROTOCOL.md", () => {
    expect(table(readme, "| action | fields |")).toEqual(table(protocol, "| action | fields |"));
  });

  it("protocol: the error-code table is the one in functions/PROTOCOL.md", () => {
    expect(table(readme, "| code | when |")).toEqual(table(protocol, "| code | when |"));
  });

  it("protocol: every action a client may send is in the table", () => {
    const rows = table(readme, "| action | fields |").join("\n");
    for (const action of CLIENT_ACTIONS) expect(rows).toContain(`| \`${action}\` |`);
  });

  it("set-up: shows the two commands for a fresh machine", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toMatch(/\.ci\/run|npm test/);
  });
});
