# Variable validation: a wrong input fails the plan with the variable's own
# message, before anything reaches AWS. Offline: the AWS provider is mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

# A valid sign-in configuration; each run below breaks one input.
variables {
  jwt_issuer   = "https://issuer.example.com/"
  jwt_audience = "chat-web"
  jwks_url     = "https://issuer.example.com/.well-known/jwks.json"
}

run "valid_inputs_plan" {
  command = plan
}

run "name_prefix_must_start_with_a_letter" {
  command = plan
  variables {
    name_prefix = "1chat"
  }
  expect_failures = [var.name_prefix]
}

run "name_prefix_refuses_underscores" {
  command = plan
  variables {
    name_prefix = "chat_prod"
  }
  expect_failures = [var.name_prefix]
}

run "name_prefix_at_most_32_characters" {
  command = plan
  variables {
    name_prefix = "a23456789012345678901234567890123"
  }
  expect_failures = [var.name_prefix]
}

run "jwks_url_must_be_https" {
  command = plan
  variables {
    jwks_url = "http://issuer.example.com/.well-known/jwks.json"
  }
  expect_failures = [var.jwks_url]
}

run "jwks_url_refuses_other_schemes" {
  command = plan
  variables {
    jwks_url = "ftp://issuer.example.com/jwks.json"
  }
  expect_failures = [var.jwks_url]
}

run "jwks_url_may_be_http_on_localhost" {
  command = plan
  variables {
    jwks_url = "http://localhost:8080/.well-known/jwks.json"
  }
}

run "sign_in_needs_issuer_audience_and_jwks_url" {
  command = plan
  variables {
    jwt_issuer = ""
  }
  expect_failures = [var.auth_enabled]
}

run "jwt_algorithms_refuse_symmetric_ones" {
  command = plan
  variables {
    jwt_algorithms = ["RS256", "HS256"]
  }
  expect_failures = [var.jwt_algorithms]
}

run "log_retention_days_must_be_a_cloudwatch_value" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "name_binding_days_at_least_history_ttl_days" {
  command = plan
  variables {
    history_ttl_days  = 30
    name_binding_days = 7
  }
  expect_failures = [var.name_binding_days]
}

run "connection_ttl_seconds_outlives_api_gateway_connections" {
  command = plan
  variables {
    connection_ttl_seconds = 3600
  }
  expect_failures = [var.connection_ttl_seconds]
}

run "table_kms_key_arn_must_be_a_kms_arn" {
  command = plan
  variables {
    table_kms_key_arn = "alias/my-key"
  }
  expect_failures = [var.table_kms_key_arn]
}

run "certificate_arn_required_with_domain_name" {
  command = plan
  variables {
    domain_name = "chat.example.com"
  }
  expect_failures = [var.certificate_arn]
}

run "domain_name_must_be_a_dns_name" {
  command = plan
  variables {
    domain_name     = "https://chat.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0e5fa0d6-0000-4000-8000-000000000000"
  }
  expect_failures = [var.domain_name]
}

run "hosted_zone_id_needs_domain_name" {
  command = plan
  variables {
    hosted_zone_id = "Z0123456789ABCDEFGHIJ"
  }
  expect_failures = [var.hosted_zone_id]
}

run "alarm_topic_arn_must_be_an_sns_arn" {
  command = plan
  variables {
    alarm_topic_arn = "arn:aws:sqs:us-east-1:123456789012:ops"
  }
  expect_failures = [var.alarm_topic_arn]
}

run "additional_routes_keys_must_be_custom_route_keys" {
  command = plan
  variables {
    additional_routes = {
      "$default" = {
        function_name = "my-function"
        invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-function/invocations"
      }
    }
  }
  expect_failures = [var.additional_routes]
}
