# A root module that deploys the wsstack chat from the module `npm run module`
# writes and adds a route of its own: `whoami`, served by a small Lambda
# function defined here, which reads the chat's table through the module's
# outputs. Nothing inside the module is forked or read.
#
#   {"action":"whoami"}  →  {"type":"whoami","connectionId":"…","userName":"…","userId":"…","connectedAt":…}

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }
}

provider "aws" {
  region = var.region
}

module "chat" {
  source = "../../dist/terraform-module"

  name_prefix  = var.name_prefix
  stage_name   = var.stage_name
  jwt_issuer   = var.jwt_issuer
  jwt_audience = var.jwt_audience
  jwks_url     = "${var.jwt_issuer}/.well-known/jwks.json"

  # The module wires each entry like its built-in routes: an AWS_PROXY
  # integration, the route, an invoke permission scoped to this stage and
  # route, and (two_way) a $default route response that sends the function's
  # body back to the caller. A key the chat already uses fails the plan.
  additional_routes = {
    whoami = {
      function_name = aws_lambda_function.whoami.function_name
      invoke_arn    = aws_lambda_function.whoami.invoke_arn
      two_way       = true
    }
  }
}

locals {
  whoami_name = "${var.name_prefix}-whoami"
}

# The package is checked in (whoami.zip, built from whoami/index.mjs; see the
# README), so this example needs no archive provider.
resource "aws_lambda_function" "whoami" {
  function_name    = local.whoami_name
  description      = "The whoami route: answers the caller with its connection's user name and id."
  role             = aws_iam_role.whoami.arn
  runtime          = "nodejs22.x"
  handler          = "index.handler"
  filename         = "${path.module}/whoami.zip"
  source_code_hash = filebase64sha256("${path.module}/whoami.zip")
  memory_size      = 256
  timeout          = 10

  environment {
    variables = {
      TABLE_NAME = module.chat.table_name
    }
  }

  depends_on = [aws_cloudwatch_log_group.whoami, aws_iam_role_policy.whoami]
}

resource "aws_cloudwatch_log_group" "whoami" {
  name              = "/aws/lambda/${local.whoami_name}"
  retention_in_days = 14
}

resource "aws_iam_role" "whoami" {
  name = local.whoami_name
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

# Exactly what the handler does: read one item of the chat's table (the
# module's table_arn output), and write its own log group.
resource "aws_iam_role_policy" "whoami" {
  name = "whoami"
  role = aws_iam_role.whoami.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["dynamodb:GetItem"], Resource = [module.chat.table_arn] },
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = ["${aws_cloudwatch_log_group.whoami.arn}:*"] },
    ]
  })
}
