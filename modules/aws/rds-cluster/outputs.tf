output "id" {
  description = "Identifier of the DB cluster."
  value       = aws_rds_cluster.this.cluster_identifier
}

output "arn" {
  description = "ARN of the DB cluster."
  value       = aws_rds_cluster.this.arn
}

output "endpoint" {
  description = "Writer (cluster) endpoint host name."
  value       = aws_rds_cluster.this.endpoint
}

output "reader_endpoint" {
  description = "Reader endpoint host name: load-balances the Aurora Replicas, the writer while there are none."
  value       = aws_rds_cluster.this.reader_endpoint
}

output "port" {
  description = "Port the cluster listens on (5432)."
  value       = aws_rds_cluster.this.port
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS manages for the master user password."
  value       = try(aws_rds_cluster.this.master_user_secret[0].secret_arn, null)
}

output "cluster_resource_id" {
  description = "Resource id of the cluster (cluster-...), the resource part of rds-db:connect ARNs for IAM database authentication."
  value       = aws_rds_cluster.this.cluster_resource_id
}

output "instance_ids" {
  description = "Identifiers of the members, the writer first."
  value       = aws_rds_cluster_instance.this[*].identifier
}

output "deletion_protection" {
  description = "Whether deletion protection is on."
  value       = aws_rds_cluster.this.deletion_protection
}

output "final_snapshot_identifier" {
  description = "Name of the snapshot taken on delete, null when skip_final_snapshot = true."
  value       = aws_rds_cluster.this.final_snapshot_identifier
}
