output "security_group_id" {
  description = "ID of the database's own security group (admits only the -clients group)."
  value       = module.client_access.security_group_id
}

output "client_security_group_id" {
  description = "ID of the <name>-clients security group; dependents join it to reach the database."
  value       = module.client_access.client_security_group_id
}

output "endpoint" {
  description = "Connection endpoint, address:port."
  value       = module.rds.endpoint
}

output "address" {
  description = "Host name of the database."
  value       = module.rds.address
}

output "port" {
  description = "Port the database listens on (5432 postgres, 3306 mysql)."
  value       = module.rds.port
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS manages for the master user password."
  value       = module.rds.master_user_secret_arn
}

output "arn" {
  description = "ARN of the DB instance."
  value       = module.rds.arn

  precondition {
    condition     = startswith(var.name, "${var.service}-")
    error_message = "name must start with \"<service>-\" (the owning service name followed by a hyphen)."
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

output "replica_addresses" {
  description = "Host names of the read replicas, in order; empty without replicas."
  value       = module.rds.replica_addresses
}

output "replica_resource_ids" {
  description = "DbiResourceIds of the read replicas, in order: a declaring service gets rds-db:connect on each."
  value       = module.rds.replica_resource_ids
}

output "resource_id" {
  description = "DbiResourceId of the instance; services that declare the database get rds-db:connect on it."
  value       = module.rds.resource_id
}

output "iam_users" {
  description = "Services that declare the database. `infragen datastore users` (the Atlantis apply step after this root's apply) gives each an IAM-authenticated user: the owner owns its schema (postgres) or database (mysql), the others read and write its tables without DDL."
  value       = var.iam_users
}

output "dashboard_widgets" {
  description = "CloudWatch metric widgets for the owning service's dashboard, each a JSON object (title, metrics); platform/dashboard lays them out."
  value       = [for w in local.dashboard_widgets : jsonencode(w)]
}

output "max_connections" {
  description = "The max_connections the connections alarm takes as 100%: var.max_connections, else RDS's default for the engine and instance class."
  value       = local.max_connections

  precondition {
    condition     = var.max_connections != null || local.default_max_connections != null
    error_message = "instance class ${var.instance_class} is not in the module's memory table (db.t*, db.m*, db.r*): set max_connections for the connections alarm."
  }
}
