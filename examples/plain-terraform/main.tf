# A plain Terraform root module that deploys the wsstack chat backend from the
# module that `npm run module` writes. Copy this folder into your own
# infrastructure repository and point `source` at wherever you keep the module.

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

  name_prefix        = var.name_prefix
  stage_name         = var.stage_name
  log_retention_days = 30

  # Sign-in: any OIDC issuer (Cognito, Auth0, Okta, …). Only its public JWKS is fetched.
  jwt_issuer   = var.jwt_issuer
  jwt_audience = var.jwt_audience
  jwks_url     = "${var.jwt_issuer}/.well-known/jwks.json"
}
