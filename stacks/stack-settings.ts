import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChatStackProps } from "./chat-stack.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Stack settings from the environment, as `cdktf synth` sees it:
 * - `TF_CLOUD_ORGANIZATION` and `TF_WORKSPACE` (the variables Terraform
 *   itself reads) switch the state to Terraform Cloud; `TF_CLOUD_PROJECT` and
 *   `TF_CLOUD_HOSTNAME` are honoured too;
 * - `WSSTACK_MODE=module` writes the reusable module (no provider, no backend);
 * - `WSSTACK_PLAN_OFFLINE=1` lets `cdktf diff` plan with no AWS account
 *   (ChatStackProps.planOffline).
 */
export function stackSettingsFromEnvironment(env: NodeJS.ProcessEnv): ChatStackProps {
  const bundleRoot = path.join(PROJECT_ROOT, ".build", "handlers");
  const mode = env.WSSTACK_MODE === "module" ? "module" : "deploy";
  const planOffline = env.WSSTACK_PLAN_OFFLINE === "1" ? { planOffline: true } : {};
  const organization = env.TF_CLOUD_ORGANIZATION?.trim();
  const workspace = env.TF_WORKSPACE?.trim();
  if (organization && workspace) {
    return {
      mode,
      bundleRoot,
      ...planOffline,
      backend: {
        kind: "cloud",
        organization,
        workspace,
        project: env.TF_CLOUD_PROJECT?.trim() || undefined,
        hostname: env.TF_CLOUD_HOSTNAME?.trim() || undefined,
      },
    };
  }
  return { mode, bundleRoot, ...planOffline };
}
