output "security_group_id" {
  description = "ID of the cache's own security group (admits only the -clients group)."
  value       = module.client_access.security_group_id
}

output "client_security_group_id" {
  description = "ID of the <name>-clients security group; dependents join it to reach the cache."
  value       = module.client_access.client_security_group_id
}

output "primary_endpoint" {
  description = "Address of the primary node; clients must use TLS."
  value       = module.elasticache.primary_endpoint
}

output "port" {
  description = "Port Redis listens on (6379)."
  value       = module.elasticache.port
}

output "arn" {
  description = "ARN of the replication group."
  value       = module.elasticache.arn

  precondition {
    condition     = startswith(var.name, "${var.service}-")
    error_message = "name must start with \"<service>-\" (the owning service name followed by a hyphen)."
  }

  precondition {
    condition     = contains(local.catalogue.nodeTypes, var.node_type)
    error_message = "node_type ${var.node_type} is not in modules/platform/cache/catalogue.yaml: ${join(", ", local.catalogue.nodeTypes)}."
  }

  precondition {
    condition     = contains(local.catalogue.engines.redis.versions, var.engine_version)
    error_message = "engine_version ${var.engine_version} is not in modules/platform/cache/catalogue.yaml: ${join(", ", local.catalogue.engines.redis.versions)}."
  }
}

output "tags" {
  description = "Tags the module puts on every resource: var.tags plus owner, service, environment and managed-by."
  value       = local.tags
}

output "connection_parameters" {
  description = "SSM parameter names (key -> name) that carry the connection values to the service's tasks."
  value       = { for k, p in aws_ssm_parameter.connection : k => p.name }
}

output "user_arns" {
  description = "ARN of the IAM-authenticated ElastiCache user of each service in iam_users."
  value       = { for k, u in aws_elasticache_user.service : k => u.arn }
}

output "user_group_id" {
  description = "ID of the cache's RBAC user group."
  value       = aws_elasticache_user_group.this.user_group_id
}

output "dashboard_widgets" {
  description = "CloudWatch metric widgets for the owning service's dashboard, each a JSON object (title, metrics); platform/dashboard lays them out."
  value       = [for w in local.dashboard_widgets : jsonencode(w)]
}
