# The alarms switch: none by default; alarm_topic_arn adds CloudWatch alarms
# on every function's errors and throttles, API Gateway's integration errors
# and DynamoDB's throttled requests, each notifying the topic, with the
# thresholds of the alarm_* variables. Offline: the AWS provider is mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  jwt_issuer   = "https://issuer.example.com/"
  jwt_audience = "chat-web"
  jwks_url     = "https://issuer.example.com/.well-known/jwks.json"
}

run "no_alarms_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.on_message_errors) == 0 && length(aws_cloudwatch_metric_alarm.authorizer_errors) == 0 && length(aws_cloudwatch_metric_alarm.integration_errors) == 0 && length(aws_cloudwatch_metric_alarm.dynamodb_throttles) == 0
    error_message = "Without alarm_topic_arn, the module must make no alarm."
  }
}

run "alarm_topic_arn_adds_alarms_that_notify_it" {
  command = plan

  variables {
    alarm_topic_arn                 = "arn:aws:sns:us-east-1:123456789012:chat-alarms"
    alarm_function_errors_threshold = 3
    alarm_period_seconds            = 60
  }

  assert {
    condition = alltrue([for a in [
      aws_cloudwatch_metric_alarm.on_message_errors[0],
      aws_cloudwatch_metric_alarm.on_message_throttles[0],
      aws_cloudwatch_metric_alarm.fan_out_errors[0],
      aws_cloudwatch_metric_alarm.authorizer_errors[0],
      aws_cloudwatch_metric_alarm.integration_errors[0],
      aws_cloudwatch_metric_alarm.dynamodb_throttles[0],
    ] : a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:chat-alarms"])])
    error_message = "Every alarm must notify alarm_topic_arn."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.on_message_errors[0].namespace == "AWS/Lambda" && aws_cloudwatch_metric_alarm.on_message_errors[0].metric_name == "Errors" && aws_cloudwatch_metric_alarm.on_message_errors[0].threshold == 3 && aws_cloudwatch_metric_alarm.on_message_errors[0].period == 60
    error_message = "A function's error alarm must watch AWS/Lambda Errors with alarm_function_errors_threshold over alarm_period_seconds."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.authorizer_errors[0].metric_name == "Errors"
    error_message = "The authorizer's errors must be watched."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.integration_errors[0].namespace == "AWS/ApiGateway"
    error_message = "API Gateway's integration errors must be watched."
  }
}
