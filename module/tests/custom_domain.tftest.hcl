# The custom-domain switch: no domain by default (the execute-api URL);
# domain_name with certificate_arn adds a regional domain and its API mapping,
# and websocket_url becomes wss://<domain_name>; hosted_zone_id adds the
# Route 53 alias record. Offline: the AWS provider is mocked.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  jwt_issuer   = "https://issuer.example.com/"
  jwt_audience = "chat-web"
  jwks_url     = "https://issuer.example.com/.well-known/jwks.json"
  stage_name   = "prod"
}

run "no_domain_by_default" {
  command = plan

  # The stage's URL is AWS's to say; known here, so the output can be compared.
  override_resource {
    target          = aws_apigatewayv2_stage.stage
    override_during = plan
    values = {
      invoke_url = "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"
    }
  }

  assert {
    condition     = length(aws_apigatewayv2_domain_name.custom_domain) == 0 && length(aws_apigatewayv2_api_mapping.custom_domain) == 0 && length(aws_route53_record.custom_domain) == 0
    error_message = "Without domain_name, the module must make no domain, mapping or record."
  }
  assert {
    condition     = output.websocket_url == "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod"
    error_message = "Without domain_name, websocket_url must be the stage's execute-api URL."
  }
}

run "domain_name_adds_domain_and_mapping" {
  command = plan

  variables {
    domain_name     = "chat.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0e5fa0d6-0000-4000-8000-000000000000"
  }

  assert {
    condition     = length(aws_apigatewayv2_domain_name.custom_domain) == 1 && aws_apigatewayv2_domain_name.custom_domain[0].domain_name == "chat.example.com"
    error_message = "domain_name must make one API Gateway domain name."
  }
  assert {
    condition     = aws_apigatewayv2_domain_name.custom_domain[0].domain_name_configuration[0].certificate_arn == var.certificate_arn
    error_message = "The domain must use certificate_arn."
  }
  assert {
    condition     = aws_apigatewayv2_domain_name.custom_domain[0].domain_name_configuration[0].endpoint_type == "REGIONAL" && aws_apigatewayv2_domain_name.custom_domain[0].domain_name_configuration[0].security_policy == "TLS_1_2"
    error_message = "The domain must be regional, with TLS 1.2."
  }
  assert {
    condition     = length(aws_apigatewayv2_api_mapping.custom_domain) == 1 && aws_apigatewayv2_api_mapping.custom_domain[0].api_mapping_key == null
    error_message = "The domain must map the stage at its root (no mapping key), so clients connect to wss://<domain_name>."
  }
  assert {
    condition     = length(aws_route53_record.custom_domain) == 0
    error_message = "Without hosted_zone_id, DNS is left to the caller: no record."
  }
  assert {
    condition     = output.websocket_url == "wss://chat.example.com"
    error_message = "With domain_name, websocket_url must be wss://<domain_name>."
  }
}

run "hosted_zone_id_adds_the_alias_record" {
  command = plan

  variables {
    domain_name     = "chat.example.com"
    certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0e5fa0d6-0000-4000-8000-000000000000"
    hosted_zone_id  = "Z0123456789ABCDEFGHIJ"
  }

  assert {
    condition     = length(aws_route53_record.custom_domain) == 1
    error_message = "hosted_zone_id must make one alias record."
  }
  assert {
    condition     = aws_route53_record.custom_domain[0].zone_id == "Z0123456789ABCDEFGHIJ" && aws_route53_record.custom_domain[0].type == "A" && aws_route53_record.custom_domain[0].name == "chat.example.com"
    error_message = "The record must be an A alias for domain_name in hosted_zone_id."
  }
}
