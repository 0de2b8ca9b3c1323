variable "region" {
  description = "AWS region to deploy the chat backend to."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every physical name the module and this example create."
  type        = string
  default     = "chat-demo"
}

variable "stage_name" {
  description = "API Gateway stage: the last path segment of the WebSocket URL."
  type        = string
  default     = "dev"
}

variable "jwt_issuer" {
  description = "OIDC issuer of sign-in tokens, e.g. a Cognito user pool."
  type        = string
  default     = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE"
}

variable "jwt_audience" {
  description = "App client id the tokens are issued for."
  type        = string
  default     = "example-app-client-id"
}
