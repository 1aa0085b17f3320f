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

output "check_ids" {
  description = "IDs of the health checks registered with the service (empty without a TCP check)."
  value       = [for c in consul_service.this.check : c.check_id]
}
