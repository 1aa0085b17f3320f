output "service_name" {
  description = "Consul name of the registered service; null for a worker or job (not registered)."
  value       = one(module.service[*].name)
}

output "service_node" {
  description = "Consul node the service is registered on; null for a worker or job (not registered)."
  value       = one(module.service[*].node)
}

output "datastore_services" {
  description = "Registered datastore services: name -> node."
  value       = { for k, s in module.datastore_service : k => s.node }
}

output "allowed_sources" {
  description = "Services allowed to call this one (sorted); every other source is denied. Empty for a worker or job."
  value       = local.registered ? one(module.intentions[*].allowed_sources) : []

  precondition {
    condition     = local.registered || length(var.allowed_sources) == 0
    error_message = "allowed_sources must be empty for a worker or job (service without an address): nothing may call it."
  }
}

output "intentions_config_json" {
  description = "The service-intentions config entry of the service (JSON); null for a worker or job (no intentions)."
  value       = one(module.intentions[*].config_json)
}

output "datastore_check_ids" {
  description = "Consul health checks of each datastore registration: name -> check IDs (none: consul-esm cannot reach a datastore)."
  value       = { for k, s in module.datastore_service : k => s.check_ids }
}
