import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { BundledFunction } from "./bundled-function.ts";
import type { ConnectionTable } from "./connection-table.ts";
import { physicalName } from "./physical-name.ts";
import type { WebSocketApi } from "./websocket-api.ts";

/** A function to watch, by its name in the route manifest (`on-message`, `fan-out`, `authorizer`, …). */
export interface AlarmedFunction {
  readonly name: string;
  readonly fn: BundledFunction;
  /**
   * What its errors mean to an operator, for the errors alarm's description.
   * @default - none
   */
  readonly errorsMeaning?: string;
}

/** At or above how many events in one period each kind of alarm fires (tokens are fine). */
export interface AlarmThresholds {
  /** Lambda `Errors` of one function. */
  readonly functionErrors: number;
  /** Lambda `Throttles` of one function. */
  readonly functionThrottles: number;
  /** API Gateway `IntegrationError` of the stage. */
  readonly integrationErrors: number;
  /** DynamoDB `ThrottledRequests` on the table, all watched operations together. */
  readonly dynamodbThrottles: number;
}

/** Properties of {@link ChatAlarms}. */
export interface ChatAlarmsProps {
  /** Prefix of every alarm name: `<prefix>-<function>-errors` and so on (a token is fine). */
  readonly namePrefix: string;
  /** The SNS topic every alarm notifies when it fires and when it recovers (a token is fine). */
  readonly topicArn: string;
  /**
   * How many of each alarm to make, 0 or 1: a token such as
   * `var.alarm_topic_arn == "" ? 0 : 1`.
   * @default - always made (no `count`)
   */
  readonly count?: number;
  /** Each function gets an errors and a throttles alarm. */
  readonly functions: readonly AlarmedFunction[];
  /** The API whose stage's integration errors are watched. */
  readonly api: WebSocketApi;
  /** The table whose throttled requests are watched. */
  readonly table: ConnectionTable;
  /**
   * The DynamoDB operations whose `ThrottledRequests` are summed: the calls
   * the functions make (see {@link tableOperations}).
   */
  readonly tableOperations: readonly string[];
  readonly thresholds: AlarmThresholds;
  /** The period each alarm sums its metric over, in seconds (a token is fine). */
  readonly periodSeconds: number;
}

/** CloudWatch takes at most 10 metrics in one alarm's metric math. */
const MAX_ALARM_METRICS = 10;

/**
 * CloudWatch alarms on what an operator must hear about: each function's
 * errors and throttles (the authorizer's errors mean nobody can sign in), the
 * stage's integration errors, and throttled requests on the table. Each sums
 * its metric over one period and fires at the first bad one; no data is not
 * a breach (an idle chat is healthy). Every alarm notifies the topic when it
 * fires and when it recovers.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-logging.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
 */
export class ChatAlarms extends Construct {
  /** Every alarm, by its logical id (`on_message_errors`, `integration_errors`, …). */
  readonly alarms = new Map<string, CloudwatchMetricAlarm>();

  constructor(scope: Construct, id: string, private readonly props: ChatAlarmsProps) {
    super(scope, id);
    for (const { name, fn, errorsMeaning } of props.functions) {
      for (const [metric, suffix, threshold] of [
        ["Errors", "errors", props.thresholds.functionErrors],
        ["Throttles", "throttles", props.thresholds.functionThrottles],
      ] as const) {
        this.alarm(`${name}-${suffix}`, {
          description: `${metric} of the ${name} function${metric === "Errors" && errorsMeaning ? ` (${errorsMeaning})` : ""}.`,
          namespace: "AWS/Lambda",
          metricName: metric,
          dimensions: { FunctionName: fn.function.functionName },
          threshold,
        });
      }
    }

    // The stage-level series (ApiId and Stage): the per-route ones exist only with detailed metrics on.
    this.alarm("integration-errors", {
      description: "Requests whose integration (a route's function) answered 4XX or 5XX.",
      namespace: "AWS/ApiGateway",
      metricName: "IntegrationError",
      dimensions: { ApiId: props.api.api.id, Stage: props.api.stage.name },
      threshold: props.thresholds.integrationErrors,
    });

    this.dynamodbThrottles();
  }

  // ThrottledRequests has no table-wide series: DynamoDB publishes it per TableName and Operation,
  // so the alarm sums one series per operation the functions call. It counts a request once
  // whether the table or the room index throttled it (ReadThrottleEvents and WriteThrottleEvents
  // with TableName alone would miss the index).
  private dynamodbThrottles(): void {
    const operations = [...new Set(this.props.tableOperations)].sort();
    if (operations.length === 0) return;
    if (operations.length > MAX_ALARM_METRICS) {
      throw new AlarmConfigurationError(`An alarm's metric math takes at most ${MAX_ALARM_METRICS} metrics; ${operations.length} DynamoDB operations to watch: ${operations.join(", ")}.`);
    }
    const ids = operations.map((operation) => `throttled_${metricQueryId(operation)}`);
    const queries: CloudwatchMetricAlarmMetricQuery[] = [
      {
        id: "throttled_requests_total",
        expression: `SUM([${ids.join(", ")}])`,
        label: "ThrottledRequests, all operations",
        returnData: true,
      },
      ...operations.map((operation, i) => ({
        id: ids[i]!,
        returnData: false,
        metric: {
          namespace: "AWS/DynamoDB",
          metricName: "ThrottledRequests",
          dimensions: { TableName: this.props.table.table.name, Operation: operation },
          period: this.props.periodSeconds,
          stat: "Sum",
        },
      })),
    ];
    this.alarm("dynamodb-throttles", {
      description: `Throttled requests on the connection table (${operations.join(", ")}).`,
      metricQuery: queries,
      threshold: this.props.thresholds.dynamodbThrottles,
    });
  }

  private alarm(name: string, metric: AlarmMetric): CloudwatchMetricAlarm {
    const { props } = this;
    const logicalId = name.replace(/-/g, "_");
    const single = "metricName" in metric;
    const alarm = new CloudwatchMetricAlarm(this, logicalId, {
      count: props.count,
      alarmName: physicalName(props.namePrefix, name),
      alarmDescription: metric.description,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: metric.threshold,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      alarmActions: [props.topicArn],
      okActions: [props.topicArn],
      ...(single
        ? { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions, statistic: "Sum", period: props.periodSeconds }
        : { metricQuery: metric.metricQuery }),
    });
    alarm.overrideLogicalId(logicalId);
    this.alarms.set(logicalId, alarm);
    return alarm;
  }
}

type AlarmMetric = { readonly description: string; readonly threshold: number } & (
  | { readonly namespace: string; readonly metricName: string; readonly dimensions: Record<string, string> }
  | { readonly metricQuery: CloudwatchMetricAlarmMetricQuery[] }
);

/** The DynamoDB operations (`GetItem`, `Query`, …) of table actions such as `dynamodb:GetItem` or `GetItem`. */
export function tableOperations(actions: Iterable<string>): string[] {
  return [...new Set([...actions].map((a) => a.replace(/^dynamodb:/, "")))].sort();
}

// `BatchWriteItem` → `batch_write_item`: metric query ids must start with a lower-case letter.
function metricQueryId(operation: string): string {
  if (Token.isUnresolved(operation)) throw new AlarmConfigurationError("DynamoDB operations must be known at synth.");
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Alarms CloudWatch would refuse. */
export class AlarmConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AlarmConfigurationError";
  }
}
