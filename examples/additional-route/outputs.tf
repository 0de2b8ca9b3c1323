output "websocket_url" {
  description = "Connect with: npx wscat -c '<websocket_url>?token=<JWT>', then send {\"action\":\"whoami\"}."
  value       = module.chat.websocket_url
}

output "whoami_function_name" {
  description = "The function behind the whoami route, e.g. for `aws logs tail /aws/lambda/<name>`."
  value       = aws_lambda_function.whoami.function_name
}
