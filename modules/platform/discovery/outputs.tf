output "service_name" {
  description = "Consul name of the registered service."
  value       = module.service.name
}

output "service_node" {
  description = "Consul node the service is registered on."
  value       = module.service.node
}

output "datastore_services" {
  description = "Registered datastore services: name -> node."
  value       = { for k, s in module.datastore_service : k => s.node }
}

output "allowed_sources" {
  description = "Services allowed to call this one (sorted); every other source is denied."
  value       = module.intentions.allowed_sources
}

output "intentions_config_json" {
  description = "The service-intentions config entry of the service (JSON)."
  value       = module.intentions.config_json
}

output "datastore_check_ids" {
  description = "Consul health checks of each datastore registration: name -> check IDs (none: consul-esm cannot reach a datastore)."
  value       = { for k, s in module.datastore_service : k => s.check_ids }
}
