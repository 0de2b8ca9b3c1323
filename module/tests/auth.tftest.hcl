# The auth switch: with auth_enabled, $connect runs the Lambda REQUEST
# authorizer on ?token=; without it, $connect is open (authorization NONE).
# Offline: the AWS provider is mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  jwt_issuer   = "https://issuer.example.com/"
  jwt_audience = "chat-web"
  jwks_url     = "https://issuer.example.com/.well-known/jwks.json"
}

run "auth_enabled_connect_uses_the_request_authorizer" {
  command = plan

  # Values known at plan time, so references to them can be compared.
  override_resource {
    target          = aws_lambda_function.authorizer
    override_during = plan
    values = {
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:wsstack-authorizer/invocations"
    }
  }
  override_resource {
    target          = aws_apigatewayv2_authorizer.authorizer
    override_during = plan
    values = {
      id = "authz01"
    }
  }

  assert {
    condition     = aws_apigatewayv2_authorizer.authorizer.authorizer_type == "REQUEST"
    error_message = "The $connect authorizer must be a Lambda REQUEST authorizer."
  }
  assert {
    condition     = tolist(aws_apigatewayv2_authorizer.authorizer.identity_sources) == tolist(["route.request.querystring.token"])
    error_message = "The authorizer must read the token from the ?token= query string."
  }
  assert {
    condition     = endswith(aws_apigatewayv2_authorizer.authorizer.authorizer_uri, ":function:wsstack-authorizer/invocations")
    error_message = "The authorizer must invoke the authorizer function."
  }
  assert {
    condition     = aws_apigatewayv2_route.connect.route_key == "$connect"
    error_message = "Expected the $connect route."
  }
  assert {
    condition     = aws_apigatewayv2_route.connect.authorization_type == "CUSTOM"
    error_message = "With auth_enabled, $connect must use the custom (Lambda) authorizer."
  }
  assert {
    condition     = aws_apigatewayv2_route.connect.authorizer_id == "authz01"
    error_message = "$connect must name the module's authorizer."
  }
  assert {
    condition     = aws_lambda_function.authorizer.environment[0].variables.JWKS_URL == var.jwks_url
    error_message = "The authorizer function must get jwks_url in its environment."
  }
}

run "auth_disabled_connect_is_open" {
  command = plan

  variables {
    auth_enabled = false
    jwt_issuer   = ""
    jwt_audience = ""
    jwks_url     = ""
  }

  assert {
    condition     = aws_apigatewayv2_route.connect.authorization_type == "NONE"
    error_message = "With auth_enabled = false, $connect must not be authorized."
  }
  assert {
    condition     = aws_apigatewayv2_route.connect.authorizer_id == null
    error_message = "With auth_enabled = false, $connect must name no authorizer."
  }
  assert {
    condition     = aws_lambda_function.connect.environment[0].variables.AUTH_ENABLED == "false"
    error_message = "The $connect function must know sign-in is off (it fails closed while AUTH_ENABLED is true)."
  }
}
