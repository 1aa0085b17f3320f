output "security_group_id" {
  description = "ID of the cluster's own security group (admits only the -clients group)."
  value       = module.client_access.security_group_id
}

output "client_security_group_id" {
  description = "ID of the <name>-clients security group; dependents join it to reach the cluster."
  value       = module.client_access.client_security_group_id
}

output "endpoint" {
  description = "Writer endpoint, address:port."
  value       = "${module.cluster.endpoint}:${module.cluster.port}"
}

output "reader_endpoint" {
  description = "Reader endpoint, address:port: the Aurora Replicas, the writer while there are none."
  value       = "${module.cluster.reader_endpoint}:${module.cluster.port}"
}

output "address" {
  description = "Host name of the writer endpoint."
  value       = module.cluster.endpoint
}

output "reader_address" {
  description = "Host name of the reader endpoint."
  value       = module.cluster.reader_endpoint
}

output "port" {
  description = "Port the cluster listens on (5432)."
  value       = module.cluster.port
}

output "instances" {
  description = "Number of members: the writer and instances - 1 Aurora Replicas."
  value       = local.instances
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS manages for the master user password."
  value       = module.cluster.master_user_secret_arn
}

output "arn" {
  description = "ARN of the DB cluster."
  value       = module.cluster.arn

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

output "cluster_resource_id" {
  description = "Resource id of the cluster (cluster-...); services that declare it get rds-db:connect on dbuser:<it>/<service>."
  value       = module.cluster.cluster_resource_id
}

output "iam_users" {
  description = "Services that declare the cluster. `infragen datastore users` (the Atlantis apply step after this root's apply) gives each an IAM-authenticated user: the owner owns its schema, the others read and write its tables without DDL."
  value       = var.iam_users
}

output "dashboard_widgets" {
  description = "CloudWatch metric widgets for the owning service's dashboard, each a JSON object (title, metrics); platform/dashboard lays them out."
  value       = [for w in local.dashboard_widgets : jsonencode(w)]
}

output "max_connections" {
  description = "The max_connections the connections alarm takes as 100%: Aurora PostgreSQL's default for the instance class."
  value       = local.max_connections

  precondition {
    condition     = local.class_memory_mib != null
    error_message = "instance class ${var.instance_class} is not in the module's memory table (alarms.tf local.instance_memory_gib)."
  }
}
