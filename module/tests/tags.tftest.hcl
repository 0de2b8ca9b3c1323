# var.tags reaches every taggable resource, merged with a Name tag where the
# resource has a physical name. One resource of each taggable type the module
# makes (test/terraform/tags.test.ts checks every resource against the
# provider's schema). Offline: the AWS provider is mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  jwt_issuer   = "https://issuer.example.com/"
  jwt_audience = "chat-web"
  jwks_url     = "https://issuer.example.com/.well-known/jwks.json"
  name_prefix  = "chat-prod"
  tags = {
    team        = "realtime"
    cost-center = "cc-1234"
  }
}

run "tags_reach_every_taggable_type" {
  command = plan

  variables {
    # Alarms and the custom domain exist only when asked for: ask, so their tags are checked too.
    alarm_topic_arn = "arn:aws:sns:us-east-1:123456789012:chat-alarms"
    domain_name     = "chat.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0e5fa0d6-0000-4000-8000-000000000000"
  }

  assert {
    condition = alltrue([for t in [
      aws_dynamodb_table.connections.tags,
      aws_apigatewayv2_api.websocket.tags,
      aws_apigatewayv2_stage.stage.tags,
      aws_cloudwatch_log_group.access_log.tags,
      aws_cloudwatch_log_group.on_message.tags,
      aws_iam_role.on_message.tags,
      aws_lambda_function.on_message.tags,
      aws_lambda_function.fan_out.tags,
      aws_lambda_function.authorizer.tags,
      aws_apigatewayv2_domain_name.custom_domain[0].tags,
      aws_cloudwatch_metric_alarm.on_message_errors[0].tags,
      aws_cloudwatch_metric_alarm.dynamodb_throttles[0].tags,
    ] : t["team"] == "realtime" && t["cost-center"] == "cc-1234"])
    error_message = "Every taggable resource must carry var.tags."
  }
  assert {
    condition     = aws_lambda_function.on_message.tags["Name"] == "chat-prod-on-message"
    error_message = "A function's Name tag must be its physical name."
  }
  assert {
    condition     = aws_dynamodb_table.connections.tags["Name"] == "chat-prod-connections"
    error_message = "The table's Name tag must be its physical name."
  }
  assert {
    condition     = aws_apigatewayv2_domain_name.custom_domain[0].tags["Name"] == "chat.example.com"
    error_message = "The custom domain's Name tag must be the domain."
  }
}

run "a_name_tag_in_var_tags_does_not_rename_resources" {
  command = plan

  variables {
    tags = {
      Name = "everything"
    }
  }

  assert {
    condition     = aws_lambda_function.on_message.tags["Name"] == "chat-prod-on-message"
    error_message = "The module's own Name tag must win over var.tags, so each resource keeps a telling name."
  }
}

run "no_tags_by_default_but_the_name" {
  command = plan

  variables {
    tags = {}
  }

  assert {
    condition     = aws_lambda_function.on_message.tags == tomap({ Name = "chat-prod-on-message" })
    error_message = "With tags = {}, a function carries its Name tag only."
  }
}
