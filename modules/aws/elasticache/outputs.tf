output "id" {
  description = "ID of the replication group."
  value       = aws_elasticache_replication_group.this.replication_group_id
}

output "arn" {
  description = "ARN of the replication group."
  value       = aws_elasticache_replication_group.this.arn
}

output "primary_endpoint" {
  description = "Address of the primary node (TLS required)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "reader_endpoint" {
  description = "Address of the reader endpoint."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "port" {
  description = "Port Redis listens on."
  value       = aws_elasticache_replication_group.this.port
}

output "subnet_group_name" {
  description = "Name of the cache subnet group."
  value       = aws_elasticache_subnet_group.this.name
}

output "num_cache_clusters" {
  description = "Number of nodes in the replication group."
  value       = aws_elasticache_replication_group.this.num_cache_clusters
}

output "automatic_failover_enabled" {
  description = "Whether automatic failover (and Multi-AZ) is on; true when there is more than one node."
  value       = aws_elasticache_replication_group.this.automatic_failover_enabled
}

output "user_group_ids" {
  description = "RBAC user groups attached to the replication group."
  value       = aws_elasticache_replication_group.this.user_group_ids
}

output "final_snapshot_identifier" {
  description = "Name of the snapshot taken when the group is deleted, null without one."
  value       = aws_elasticache_replication_group.this.final_snapshot_identifier
}

output "apply_immediately" {
  description = "Whether modifications are applied now (true) or in the next maintenance window."
  value       = aws_elasticache_replication_group.this.apply_immediately
}
