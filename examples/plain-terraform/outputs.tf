output "websocket_url" {
  description = "Connect with: npx wscat -c <websocket_url>"
  value       = module.chat.websocket_url
}

output "connection_url" {
  description = "Backends POST to <connection_url>/<connectionId> to send a frame to a client."
  value       = module.chat.connection_url
}

output "table_name" {
  description = "The DynamoDB connection table."
  value       = module.chat.table_name
}
