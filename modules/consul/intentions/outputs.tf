output "destination" {
  description = "Destination service the intentions apply to."
  value       = consul_config_entry.this.name
}

output "allowed_sources" {
  description = "Sources allowed to call the destination, sorted; everything else is denied."
  value       = sort(var.allowed_sources)
}

output "config_entry_id" {
  description = "ID of the service-intentions config entry."
  value       = consul_config_entry.this.id
}

output "config_json" {
  description = "The service-intentions config entry body as written (JSON): Sources, and Meta when set."
  value       = consul_config_entry.this.config_json
}
