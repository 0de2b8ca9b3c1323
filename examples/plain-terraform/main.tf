# A plain Terraform root module that deploys the wsstack chat backend from the
# module that `npm run module` writes. Copy this folder into your own
# infrastructure repository and point `source` at wherever you keep the module.

terraform {
  required_version = ">= 1.5"
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
}
