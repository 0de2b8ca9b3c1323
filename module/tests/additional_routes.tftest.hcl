# additional_routes: each entry gets an AWS_PROXY integration, a route, an
# invoke permission scoped to its stage and route and, when two_way, a
# $default route response, keyed by its route key. Offline: the AWS provider
# is mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  jwt_issuer   = "https://issuer.example.com/"
  jwt_audience = "chat-web"
  jwks_url     = "https://issuer.example.com/.well-known/jwks.json"
  stage_name   = "prod"
}

run "none_by_default" {
  command = plan

  assert {
    condition     = length(aws_apigatewayv2_route.additional) == 0 && length(aws_apigatewayv2_integration.additional) == 0 && length(aws_lambda_permission.additional) == 0 && length(aws_apigatewayv2_route_response.additional) == 0
    error_message = "Without additional_routes, the module must add no route."
  }
}

run "an_entry_gets_integration_route_and_permission" {
  command = plan

  variables {
    additional_routes = {
      whoami = {
        function_name = "team-whoami"
        invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:team-whoami/invocations"
        two_way       = true
      }
      audit = {
        function_name = "arn:aws:lambda:us-east-1:123456789012:function:team-audit"
        invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:team-audit/invocations"
      }
    }
  }

  # The API's execution ARN is AWS's to say; known here, so the permission's scope can be compared.
  override_resource {
    target          = aws_apigatewayv2_api.websocket
    override_during = plan
    values = {
      id            = "a1b2c3d4e5"
      execution_arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5"
    }
  }

  assert {
    condition     = toset(keys(aws_apigatewayv2_route.additional)) == toset(["whoami", "audit"]) && aws_apigatewayv2_route.additional["whoami"].route_key == "whoami"
    error_message = "Each entry must get a route keyed and named by its route key."
  }
  assert {
    condition     = aws_apigatewayv2_route.additional["whoami"].api_id == "a1b2c3d4e5"
    error_message = "Additional routes must be on the module's API."
  }
  assert {
    condition     = aws_apigatewayv2_integration.additional["whoami"].integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.additional["whoami"].integration_uri == var.additional_routes.whoami.invoke_arn
    error_message = "Each entry must get an AWS_PROXY integration with its invoke_arn."
  }
  assert {
    condition     = aws_lambda_permission.additional["whoami"].function_name == "team-whoami" && aws_lambda_permission.additional["whoami"].principal == "apigateway.amazonaws.com" && aws_lambda_permission.additional["whoami"].action == "lambda:InvokeFunction"
    error_message = "Each entry's function must let API Gateway invoke it."
  }
  assert {
    condition     = aws_lambda_permission.additional["audit"].source_arn == "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/audit"
    error_message = "An entry's permission must be scoped to its stage and route, never /*."
  }
  assert {
    condition     = keys(aws_apigatewayv2_route_response.additional) == ["whoami"] && aws_apigatewayv2_route_response.additional["whoami"].route_response_key == "$default"
    error_message = "Only two-way entries get a $default route response."
  }
  assert {
    condition     = aws_apigatewayv2_route.additional["whoami"].route_response_selection_expression == "$default" && aws_apigatewayv2_route.additional["audit"].route_response_selection_expression == null
    error_message = "Only two-way routes select a route response."
  }
}
