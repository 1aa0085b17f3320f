output "id" {
  description = "Identifier of the DB instance."
  value       = aws_db_instance.this.identifier
}

output "arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "endpoint" {
  description = "Connection endpoint, address:port."
  value       = aws_db_instance.this.endpoint
}

output "address" {
  description = "Host name of the DB instance."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port the database listens on."
  value       = aws_db_instance.this.port
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS manages for the master user password."
  value       = try(aws_db_instance.this.master_user_secret[0].secret_arn, null)
}

output "db_subnet_group_name" {
  description = "Name of the DB subnet group."
  value       = aws_db_subnet_group.this.name
}

output "parameter_group_name" {
  description = "Name of the DB parameter group."
  value       = aws_db_parameter_group.this.name
}

output "multi_az" {
  description = "Whether the instance runs a Multi-AZ standby."
  value       = aws_db_instance.this.multi_az
}

output "deletion_protection" {
  description = "Whether deletion protection is on."
  value       = aws_db_instance.this.deletion_protection
}

output "final_snapshot_identifier" {
  description = "Name of the snapshot taken on delete, null when skip_final_snapshot = true."
  value       = aws_db_instance.this.final_snapshot_identifier
}

output "replica_ids" {
  description = "Identifiers of the read replicas (<name>-replica-N), in order; empty without replicas."
  value       = aws_db_instance.replica[*].identifier
}

output "replica_addresses" {
  description = "Host names of the read replicas, in order; empty without replicas."
  value       = aws_db_instance.replica[*].address
}

output "replica_resource_ids" {
  description = "DbiResourceIds of the read replicas, in order: rds-db:connect to a replica names its own."
  value       = aws_db_instance.replica[*].resource_id
}

output "resource_id" {
  description = "DbiResourceId of the instance (db-...), the resource part of rds-db:connect ARNs for IAM database authentication."
  value       = aws_db_instance.this.resource_id
}

output "apply_immediately" {
  description = "Whether modifications are applied now (true) or in the next maintenance window."
  value       = aws_db_instance.this.apply_immediately
}

output "performance_insights_enabled" {
  description = "Whether Performance Insights is on."
  value       = aws_db_instance.this.performance_insights_enabled
}

output "max_storage_gb" {
  description = "Storage autoscaling limit in GiB, null when storage autoscaling is off."
  value       = var.max_storage_gb
}

output "backup_window" {
  description = "Daily automated backup window (hh24:mi-hh24:mi, UTC)."
  value       = aws_db_instance.this.backup_window
}

output "maintenance_window" {
  description = "Weekly maintenance window (ddd:hh24:mi-ddd:hh24:mi, UTC)."
  value       = aws_db_instance.this.maintenance_window
}
