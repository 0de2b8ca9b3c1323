import { parse } from "@cdktf/hcl2json";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HCL_FILE, removeStackHcl, tidyHcl, writeStackHcl } from "../../stacks/hcl-output.ts";
import { synthChatStack } from "./synth-helpers.ts";

describe("stack HCL (npm run synth)", () => {
  it("writeStackHcl: the HCL parses and declares the same resources as the JSON", async () => {
    // GIVEN the synthesized stack
    const { stack, tf } = synthChatStack();
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-hcl-"));
    // WHEN its HCL twin is written
    await writeStackHcl(stack, dir);
    const hcl = await parse(HCL_FILE, readFileSync(path.join(dir, HCL_FILE), "utf8"));
    // THEN every resource of the JSON is there, and the escapes survived
    for (const [type, resources] of Object.entries(tf.resource)) {
      expect(Object.keys(hcl.resource[type] ?? {}).sort(), type).toEqual(Object.keys(resources).sort());
    }
    expect(Object.keys(hcl.variable).sort()).toEqual(Object.keys(tf.variable!).sort());
    const mock = Object.values(hcl.resource.aws_apigatewayv2_integration as Record<string, { integration_type: string; template_selection_expression?: string }[]>)
      .map(([i]) => i!)
      .find((i) => i.integration_type === "MOCK");
    expect(mock?.template_selection_expression).toBe("\\$default");
  });

  it("removeStackHcl: a JSON synth removes the HCL twin, so Terraform never loads both", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-hcl-"));
    writeFileSync(path.join(dir, HCL_FILE), "# stale\n");
    removeStackHcl(dir);
    expect(() => readFileSync(path.join(dir, HCL_FILE))).toThrow(/ENOENT/);
    expect(() => removeStackHcl(dir)).not.toThrow();
  });

  it("tidyHcl: doubles lone backslashes before $ and drops blank lines before a closing brace", () => {
    expect(tidyHcl('a = "\\$default"\nb = "\\\\$x"\n')).toBe('a = "\\\\$default"\nb = "\\\\$x"\n');
    expect(tidyHcl("x {\n  y = 1\n\n\n}\n")).toBe("x {\n  y = 1\n}\n");
  });
});
