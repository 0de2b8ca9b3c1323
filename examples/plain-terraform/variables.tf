variable "region" {
  description = "AWS region to deploy the chat backend to."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every physical name the module creates."
  type        = string
  default     = "chat-demo"
}

variable "stage_name" {
  description = "API Gateway stage: the last path segment of the WebSocket URL."
  type        = string
  default     = "dev"
}
