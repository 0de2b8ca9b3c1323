# The same deployment, with state and runs in Terraform Cloud (HCP Terraform).
# Set the organization and workspace below (or remove them and export
# TF_CLOUD_ORGANIZATION and TF_WORKSPACE), run `terraform login` once, then
# `terraform init && terraform apply`.
#
# Terraform Cloud runs remotely: upload the module with the configuration
# (keep `dist/terraform-module` inside the uploaded folder, or publish it to
# your private registry and use `source = "app.terraform.io/<org>/wsstack/aws"`),
# and give the workspace AWS credentials as environment variables or
# through dynamic provider credentials.

terraform {
  # The module's variable validations need Terraform 1.9.
  required_version = ">= 1.9"

  cloud {
    organization = "my-org"
    workspaces {
      name    = "wsstack-chat-prod"
      project = "realtime"
    }
  }

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "chat" {
  source = "../../dist/terraform-module"

  name_prefix = "chat-prod"
  stage_name  = "prod"

  jwt_issuer   = "https://my-tenant.eu.auth0.com/"
  jwt_audience = "https://chat.example.com"
  jwks_url     = "https://my-tenant.eu.auth0.com/.well-known/jwks.json"
}

output "websocket_url" {
  description = "Connect with: npx wscat -c <websocket_url>"
  value       = module.chat.websocket_url
}
