output "service_id" {
  description = "ID of the registered service instance."
  value       = consul_service.this.service_id
}

output "name" {
  description = "Name of the registered service."
  value       = consul_service.this.name
}

output "node" {
  description = "Node the service is registered on."
  value       = consul_service.this.node
}
