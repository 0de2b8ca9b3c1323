/** The `$connect` REQUEST authorizer: verifies the JWT in `?token=` and passes the user's id and name on. */
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { InvalidTokenError, createJwtVerifier } from "./aws/jwt-verifier.ts";
import { lazy } from "./aws/lazy.ts";
import type { LambdaContext } from "./aws/request-log-fields.ts";
import { readAuthorizerSettings } from "./aws/settings.ts";
import type { AuthorizerEvent, AuthorizerResult } from "./aws/websocket-event.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
// Built once per container: jose caches the issuer's keys inside it.
const verifier = lazy(() => createJwtVerifier(readAuthorizerSettings(process.env)));

export async function handler(event: AuthorizerEvent, context?: LambdaContext): Promise<AuthorizerResult> {
  const { connectionId, requestId } = event.requestContext;
  const log = logger().child(context === undefined ? { connectionId, requestId } : { connectionId, requestId, awsRequestId: context.awsRequestId });
  const token = event.queryStringParameters?.["token"];
  try {
    if (token === undefined || token === "") throw new InvalidTokenError();
    const { userId, userName } = await verifier().verify(token);
    log.info("authorized", { userId, userName });
    return {
      principalId: userId,
      policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },
      context: { userId, userName },
    };
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
      log.info("token rejected", { reason: cause?.code ?? "missing", detail: cause?.message });
    } else {
      // The keys could not be fetched, or the settings are wrong: ours to fix, so logged in full.
      log.error("could not verify token", { error });
    }
    // Exactly this message makes API Gateway answer 401; nothing else reaches the client.
    throw new Error("Unauthorized");
  }
}
